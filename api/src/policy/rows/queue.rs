//! Row rules of the intake queue.
//!
//! | table | administrator | partner | employer | mentor | participant | volunteer |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | queue entry | all | all (the queue is Portalen's, shared by the partners that run it) | none | none | none | none |
//!
//! A contact detail is a personal field (`participants:pii`); a queue
//! number's position and the queue's length are public, so that a person
//! can follow their number without signing in.

use sea_orm::Condition;

use super::nothing;
use crate::policy::{Caller, Role};

/// The queue entries the caller may see.
pub fn queue_entries(caller: &Caller) -> Condition {
    match caller.role {
        Role::Administrator | Role::Partner => Condition::all(),
        _ => nothing(),
    }
}
