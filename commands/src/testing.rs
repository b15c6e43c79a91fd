//! Given / when / then for aggregates: tests read like the business rule they check.

use crate::{Aggregate, DomainError};
use keel_events::DomainEvent;
use std::marker::PhantomData;

pub struct TestFramework<A: Aggregate> {
    given: Vec<DomainEvent>,
    _a: PhantomData<A>,
}

pub struct When<A: Aggregate> {
    result: Result<Vec<DomainEvent>, DomainError>,
    _a: PhantomData<A>,
}

impl<A: Aggregate> TestFramework<A> {
    /// The history the aggregate has before the command.
    pub fn given(events: Vec<DomainEvent>) -> Self {
        Self {
            given: events,
            _a: PhantomData,
        }
    }

    pub fn when(self, command: A::Command) -> When<A> {
        let state = A::fold(self.given.iter());
        When {
            result: A::decide(&state, &command),
            _a: PhantomData,
        }
    }
}

impl<A: Aggregate> When<A> {
    /// The command produced exactly these events.
    #[track_caller]
    pub fn then(self, expected: Vec<DomainEvent>) {
        match self.result {
            Ok(events) => assert_eq!(events, expected),
            Err(e) => panic!("expected events {expected:?}, command was refused: {e:?}"),
        }
    }

    /// The command was refused with exactly this error.
    #[track_caller]
    pub fn then_error(self, expected: DomainError) {
        assert_eq!(self.error(), expected);
    }

    #[track_caller]
    pub fn error(self) -> DomainError {
        match self.result {
            Ok(events) => panic!("expected a refusal, command produced {events:?}"),
            Err(e) => e,
        }
    }

    /// The events, for assertions on fields chosen by the command.
    #[track_caller]
    pub fn events(self) -> Vec<DomainEvent> {
        match self.result {
            Ok(events) => events,
            Err(e) => panic!("command was refused: {e:?}"),
        }
    }
}
