//! Unit tree validation and roll-ups.

use proptest::prelude::*;
use std::collections::BTreeMap;
use zhiyuan::ErrorKind;
use zhiyuan::units::{Team, Unit, UnitTree};

#[test]
fn bad_trees_are_refused_with_the_unit_named() {
    let e = UnitTree::new(
        vec![
            Unit::new(1, None, "a", "centre"),
            Unit::new(1, None, "b", "centre"),
        ],
        vec![],
    )
    .unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (ErrorKind::Conflict, "units[id=1]: duplicate unit id".into())
    );
    let e = UnitTree::new(vec![Unit::new(2, Some(9), "a", "station")], vec![]).unwrap_err();
    assert_eq!(e.to_string(), "units[id=2].parent: unknown parent unit 9");
    let e = UnitTree::new(
        vec![
            Unit::new(1, None, "r", "centre"),
            Unit::new(2, Some(3), "a", "x"),
            Unit::new(3, Some(2), "b", "x"),
        ],
        vec![],
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "units[id=2].parent: the parent chain forms a cycle"
    );
    let e = UnitTree::new(
        vec![Unit::new(1, None, "r", "centre")],
        vec![Team {
            id: 4,
            unit: 2,
            name: "t".into(),
            skills: vec![],
        }],
    )
    .unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::NotFound,
            "teams[id=4].unit: unknown unit 2".into()
        )
    );
}

fn forest() -> impl Strategy<Value = Vec<Unit>> {
    // Parent of unit i is a random earlier unit or none: always a forest.
    prop::collection::vec(
        prop::option::weighted(0.85, any::<prop::sample::Index>()),
        1..40,
    )
    .prop_map(|ps| {
        ps.iter()
            .enumerate()
            .map(|(i, p)| {
                let parent = if i == 0 {
                    None
                } else {
                    p.map(|ix| ix.index(i) as u64 * 7 + 3)
                };
                Unit::new(i as u64 * 7 + 3, parent, "u", "level")
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rollup_equals_sum_over_descendants(units in forest(), amounts in prop::collection::vec(0i64..1000, 40), shuffle in any::<prop::sample::Index>()) {
        let mut shuffled = units.clone();
        let k = shuffle.index(shuffled.len());
        shuffled.rotate_left(k);
        let tree = UnitTree::new(units.clone(), vec![]).unwrap();
        let tree2 = UnitTree::new(shuffled, vec![]).unwrap();
        prop_assert_eq!(&tree, &tree2, "input order does not matter");
        let own: BTreeMap<u64, i64> = units.iter().zip(&amounts).map(|(u, &a)| (u.id, a)).collect();
        let rolled = tree.rollup(&own).unwrap();
        for u in &units {
            let expect = own[&u.id] + tree.descendants(u.id).unwrap().iter().map(|d| own[d]).sum::<i64>();
            prop_assert_eq!(rolled[&u.id], expect);
            for a in tree.ancestors(u.id).unwrap() {
                prop_assert!(tree.is_within(u.id, a).unwrap());
                prop_assert!(!tree.is_within(a, u.id).unwrap());
            }
        }
    }
}

#[test]
fn a_rollup_that_overflows_is_an_error_not_a_wrapped_total() {
    let tree = UnitTree::new(
        vec![
            Unit::new(1, None, "r", "centre"),
            Unit::new(2, Some(1), "a", "x"),
            Unit::new(3, Some(1), "b", "x"),
        ],
        vec![],
    )
    .unwrap();
    let own: BTreeMap<u64, i64> = [(2, i64::MAX), (3, 1)].into_iter().collect();
    let e = tree.rollup(&own).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        e.to_string(),
        "units[id=1]: rolled-up total overflows a 64-bit integer"
    );
}
