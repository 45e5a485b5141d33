//! The order of budget writes: the API refuses any state in which a longer interval's limit
//! is not above every shorter one's (lifetime > monthly > weekly > daily), so a change of
//! several budgets must pass only through valid states.
//!
//! That order is a rule of the server's that the document states only in prose, so it is
//! written here for the four intervals it names. An interval the document adds (built from
//! a newer one) is handled like the others but has no place in the order: it is compared
//! with no other, and its writes come after the ordered ones.

use std::sync::OnceLock;

use openrouter_workspaces::types::WorkspaceBudgetInterval;

/// The ordered intervals, shortest first: a limit must be below the limit of every later one.
pub(crate) const ORDERED: [WorkspaceBudgetInterval; 4] = [
    WorkspaceBudgetInterval::Daily,
    WorkspaceBudgetInterval::Weekly,
    WorkspaceBudgetInterval::Monthly,
    WorkspaceBudgetInterval::Lifetime,
];

/// Every interval a file may name: the [`ORDERED`] ones, then the others the document
/// lists, in its order.
pub(crate) fn intervals() -> &'static [WorkspaceBudgetInterval] {
    static INTERVALS: OnceLock<Vec<WorkspaceBudgetInterval>> = OnceLock::new();
    INTERVALS.get_or_init(|| {
        let others = WorkspaceBudgetInterval::KNOWN
            .iter()
            .filter(|interval| !ORDERED.contains(interval));
        ORDERED.iter().chain(others).cloned().collect()
    })
}

/// The limits of one workspace's budgets, by position in [`intervals`] (`None`: no budget).
pub(crate) type Limits = Vec<Option<f64>>;

/// Limits with no budget at all.
pub(crate) fn none() -> Limits {
    vec![None; intervals().len()]
}

/// The position of `interval` in [`intervals`]; `None` for one the document does not list.
pub(crate) fn position(interval: &WorkspaceBudgetInterval) -> Option<usize> {
    intervals().iter().position(|i| i == interval)
}

/// The first pair of ordered budgets that breaks the order, shorter one first, if any.
pub(crate) fn first_violation(limits: &[Option<f64>]) -> Option<(usize, usize)> {
    let ordered = limits.len().min(ORDERED.len());
    for shorter in 0..ordered {
        for longer in shorter + 1..ordered {
            if let (Some(s), Some(l)) = (limits[shorter], limits[longer])
                && s >= l
            {
                return Some((shorter, longer));
            }
        }
    }
    None
}

/// One budget write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    /// Set the budget at this position to this limit.
    Set(usize, f64),
    /// Delete the budget at this position.
    Delete(usize),
}

/// Writes that turn `from` into `to`, each leaving a valid state when both ends are valid.
///
/// Deletes go first (removing a budget cannot break the order). Then every lowered limit,
/// shortest interval first: the shorter ones are by then at or below their final value
/// and the longer ones still at their old, higher one. Then every raised or new limit,
/// longest first: the longer ones are by then final and the shorter ones at or below
/// their final value. Then the changed budgets of intervals outside the order. Unchanged
/// budgets need no write.
pub(crate) fn order(from: &[Option<f64>], to: &[Option<f64>]) -> Vec<Step> {
    let ordered = ORDERED.len().min(to.len());
    let mut steps = Vec::new();
    for (i, (old, new)) in from.iter().zip(to).enumerate() {
        if old.is_some() && new.is_none() {
            steps.push(Step::Delete(i));
        }
    }
    for (i, (old, new)) in from.iter().zip(to).enumerate().take(ordered) {
        if let (Some(old), Some(new)) = (old, new)
            && new < old
        {
            steps.push(Step::Set(i, *new));
        }
    }
    for (i, (old, new)) in from.iter().zip(to).enumerate().take(ordered).rev() {
        if let Some(new) = new
            && old.is_none_or(|old| *new > old)
        {
            steps.push(Step::Set(i, *new));
        }
    }
    for (i, (old, new)) in from.iter().zip(to).enumerate().skip(ordered) {
        if let Some(new) = new
            && *old != Some(*new)
        {
            steps.push(Step::Set(i, *new));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A valid set of limits: increasing among the present ones.
    fn valid_limits() -> impl Strategy<Value = Limits> {
        (
            proptest::array::uniform4(any::<bool>()),
            proptest::array::uniform4(1u32..200),
        )
            .prop_map(|(present, gaps)| {
                let mut total = 0.0;
                let mut limits = none();
                for i in 0..4 {
                    total += f64::from(gaps[i]);
                    if present[i] {
                        limits[i] = Some(total);
                    }
                }
                limits
            })
    }

    proptest! {
        #[test]
        fn every_state_on_the_way_is_valid(from in valid_limits(), to in valid_limits()) {
            let mut state = from.clone();
            for step in order(&from, &to) {
                match step {
                    Step::Set(i, limit) => state[i] = Some(limit),
                    Step::Delete(i) => state[i] = None,
                }
                prop_assert_eq!(first_violation(&state), None, "after {:?}: {:?}", step, state);
            }
            prop_assert_eq!(state, to);
        }
    }

    #[test]
    fn a_swap_of_order_goes_through_the_longer_interval_first_when_raising() {
        let from = [Some(10.0), None, Some(20.0), None];
        let to = [Some(30.0), None, Some(40.0), None];
        assert_eq!(order(&from, &to), [Step::Set(2, 40.0), Step::Set(0, 30.0)]);
    }

    #[test]
    fn an_interval_outside_the_order_is_compared_with_none_and_written_last() {
        // Position 4 is past the ordered intervals: a newer document's.
        let from = [Some(10.0), None, Some(50.0), Some(100.0), Some(1.0)];
        let to = [Some(5.0), None, None, Some(200.0), Some(500.0)];
        assert_eq!(
            first_violation(&[Some(5.0), None, None, None, Some(1.0)]),
            None
        );
        assert_eq!(
            order(&from, &to),
            [
                Step::Delete(2),
                Step::Set(0, 5.0),
                Step::Set(3, 200.0),
                Step::Set(4, 500.0)
            ]
        );
        assert_eq!(order(&to, &to), [], "an unchanged budget is not written");
    }

    #[test]
    fn a_violation_names_the_shorter_interval_first() {
        assert_eq!(
            first_violation(&[Some(5.0), None, Some(5.0), None]),
            Some((0, 2))
        );
        assert_eq!(
            first_violation(&[Some(1.0), Some(2.0), None, Some(3.0)]),
            None
        );
    }
}
