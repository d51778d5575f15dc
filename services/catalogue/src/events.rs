//! The events the catalogue consumes: none. The catalogue is the source the other services ask
//! (over gRPC: procedure versions, agencies, calendars, deadlines); it receives no event, so
//! it serves no event receiver and keeps no inbox. It publishes no events yet either: a
//! change is recorded in its audit log (`store::audit`), not announced.
