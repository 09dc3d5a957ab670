//! ICAO 9303-3/4/5/6/7 machine readable zones: TD1, TD2, TD3, MRV-A, MRV-B, check digits and access keys
