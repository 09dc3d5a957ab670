//! The terminal side of the eMRTD chip protocols: BAC, PACE, secure messaging, CA, AA and the read strategy (ICAO 9303-11)
