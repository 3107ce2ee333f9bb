//! Working-time calendar for motcua: the Vietnamese lunar calendar, statutory holidays,
//! announced day swaps and deadline arithmetic. Pure: no I/O, no clock.
