//! A software eMRTD chip: the chip side of BAC, PACE, secure messaging, CA and AA over a file system of data groups
