use crate::DomainError;
use keel_events::DomainEvent;

/// A consistency boundary: its state is folded from its own stream, and commands are decided
/// against that state without I/O.
pub trait Aggregate {
    type State: Default + Clone + std::fmt::Debug;
    type Command: std::fmt::Debug;

    /// Decide which events a command produces, or why it is refused. Pure.
    fn decide(
        state: &Self::State,
        command: &Self::Command,
    ) -> Result<Vec<DomainEvent>, DomainError>;

    /// Apply one recorded event to the state. Pure; events that do not concern the aggregate are ignored.
    fn evolve(state: Self::State, event: &DomainEvent) -> Self::State;

    fn fold<'a>(events: impl IntoIterator<Item = &'a DomainEvent>) -> Self::State {
        events
            .into_iter()
            .fold(Self::State::default(), Self::evolve)
    }
}
