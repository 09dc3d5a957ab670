//! The eMRTD logical data structure (ICAO 9303-10): EF.COM, EF.SOD content, DG1-DG16 and face images
