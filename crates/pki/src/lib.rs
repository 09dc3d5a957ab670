//! Passive authentication (ICAO 9303-11 §5.1, 9303-12): CMS SignedData, certificate paths, master lists, CRLs
