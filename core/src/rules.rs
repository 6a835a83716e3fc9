//! The rule language: `all` / `any` / `not` over named [`Fact`]s with typed
//! comparisons, written as data inside a policy and compiled once.
//!
//! A [`Condition`] in TOML or JSON is one of
//!
//! ```toml
//! when = { fact = "cumulative_hours", op = ">=", value = 120.5 }
//! when = { all = [ { fact = "age", op = ">=", value = 22 }, { fact = "age", op = "<=", value = 60 } ] }
//! when = { any = [ … ] }
//! when = { not = { fact = "status", op = "in", value = ["suspended", "deregistered"] } }
//! ```
//!
//! Operators: `>=`, `>`, `<=`, `<`, `==`, `!=`, `in` (a non-empty list).
//! Literals are typed by the fact ([`FactType`]): hours facts take hours,
//! whole or decimal (`120.5`), converted **exactly** to minutes (a value
//! that is not a whole number of minutes is rejected); ratings take a
//! decimal with at most two places; counts take whole numbers; `active` takes
//! `true`/`false`; `status` takes a status name. Decimals may also be written
//! as strings (`"120.5"`) by callers that avoid JSON floats.
//!
//! [`CompiledCondition::compile`] checks all of this (errors name the path,
//! e.g. `all[0].fact: unknown fact "cumulative_hour"`) and produces an
//! integer-only evaluator; [`CompiledCondition::check_polarity`] proves that
//! the condition never turns false when a more-is-better fact rises or a
//! less-is-better fact falls (a sufficient, syntactic check: every
//! comparison on such a fact must point the right way after `not`s).
//!
//! ```
//! use zhiyuan::facts::Facts;
//! use zhiyuan::rules::{CompiledCondition, Condition};
//! let c: Condition = serde_json::from_str(
//!     r#"{"all": [{"fact": "cumulative_hours", "op": ">=", "value": 120.5},
//!                 {"fact": "status", "op": "==", "value": "active"}]}"#).unwrap();
//! let rule = CompiledCondition::compile(&c)?;
//! let mut f = Facts { cumulative_minutes: 7229, ..Facts::default() };
//! assert!(!rule.eval_facts(&f));
//! assert_eq!(rule.gaps(&f)[0].needs, "needs 1 more minute");
//! f.cumulative_minutes = 7230;
//! assert!(rule.eval_facts(&f));
//! let bad: Condition = serde_json::from_str(r#"{"fact": "cumulative_hour", "op": ">=", "value": 1}"#).unwrap();
//! assert_eq!(CompiledCondition::compile(&bad).unwrap_err().to_string(),
//!            "fact: unknown fact \"cumulative_hour\"");
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::facts::{Fact, FactColumn, FactType, Facts, FactsColumnsRef, Polarity, VolunteerStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `==`
    #[serde(rename = "==")]
    Eq,
    /// `!=`
    #[serde(rename = "!=")]
    Ne,
    /// `in` (membership in a list)
    #[serde(rename = "in")]
    In,
    /// `not in` (only produced when explaining a negated `in`)
    #[serde(rename = "not in")]
    NotIn,
}

impl Op {
    /// The operator as written in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::In => "in",
            Op::NotIn => "not in",
        }
    }

    /// The operator that holds exactly when this one does not.
    pub fn negated(self) -> Op {
        match self {
            Op::Ge => Op::Lt,
            Op::Gt => Op::Le,
            Op::Le => Op::Gt,
            Op::Lt => Op::Ge,
            Op::Eq => Op::Ne,
            Op::Ne => Op::Eq,
            Op::In => Op::NotIn,
            Op::NotIn => Op::In,
        }
    }

    #[inline]
    fn test(self, v: i64, values: &[i64]) -> bool {
        let t = values.first().copied().unwrap_or(0);
        match self {
            Op::Ge => v >= t,
            Op::Gt => v > t,
            Op::Le => v <= t,
            Op::Lt => v < t,
            Op::Eq => v == t,
            Op::Ne => v != t,
            Op::In => values.contains(&v),
            Op::NotIn => !values.contains(&v),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A literal as a policy writes it; its meaning depends on the fact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A decimal number; converted exactly through its shortest decimal
    /// text, never compared as a float.
    Decimal(f64),
    /// A status name, or a decimal written as text.
    Text(String),
    /// The right-hand side of `in`.
    List(Vec<Literal>),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Decimal(x) => write!(f, "{x}"),
            Literal::Text(s) => write!(f, "{s:?}"),
            Literal::List(v) => {
                f.write_str("[")?;
                for (i, l) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{l}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl From<i64> for Literal {
    fn from(v: i64) -> Self {
        Literal::Int(v)
    }
}
impl From<bool> for Literal {
    fn from(v: bool) -> Self {
        Literal::Bool(v)
    }
}
impl From<&str> for Literal {
    fn from(v: &str) -> Self {
        Literal::Text(v.to_owned())
    }
}

/// A condition over facts (see the module docs for the written forms).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCondition", into = "RawCondition")]
pub enum Condition {
    /// Every sub-condition holds (non-empty).
    All(Vec<Condition>),
    /// At least one sub-condition holds (non-empty).
    Any(Vec<Condition>),
    /// The sub-condition does not hold.
    Not(Box<Condition>),
    /// `fact op value`.
    Compare {
        /// The fact's name.
        fact: String,
        /// The operator.
        op: Op,
        /// The right-hand side.
        value: Literal,
    },
}

impl Condition {
    /// `fact op value`.
    pub fn cmp(fact: &str, op: Op, value: impl Into<Literal>) -> Self {
        Condition::Compare {
            fact: fact.to_owned(),
            op,
            value: value.into(),
        }
    }

    /// `fact >= value`.
    pub fn at_least(fact: &str, value: impl Into<Literal>) -> Self {
        Self::cmp(fact, Op::Ge, value)
    }
}

#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    all: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    any: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not: Option<Box<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    op: Option<Op>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<Literal>,
}

impl TryFrom<RawCondition> for Condition {
    type Error = String;
    fn try_from(r: RawCondition) -> std::result::Result<Self, String> {
        let shape = (
            r.all.is_some(),
            r.any.is_some(),
            r.not.is_some(),
            r.fact.is_some() || r.op.is_some() || r.value.is_some(),
        );
        match (shape, r) {
            ((true, false, false, false), r) => Ok(Condition::All(r.all.unwrap_or_default())),
            ((false, true, false, false), r) => Ok(Condition::Any(r.any.unwrap_or_default())),
            ((false, false, true, false), RawCondition { not: Some(c), .. }) => {
                Ok(Condition::Not(c))
            }
            (
                (false, false, false, true),
                RawCondition {
                    fact: Some(fact),
                    op: Some(op),
                    value: Some(value),
                    ..
                },
            ) => Ok(Condition::Compare { fact, op, value }),
            ((false, false, false, true), _) => {
                Err("a comparison needs all of fact, op and value".to_owned())
            }
            _ => Err("a condition needs exactly one of all, any, not or fact/op/value".to_owned()),
        }
    }
}

impl From<Condition> for RawCondition {
    fn from(c: Condition) -> Self {
        match c {
            Condition::All(v) => RawCondition {
                all: Some(v),
                ..Default::default()
            },
            Condition::Any(v) => RawCondition {
                any: Some(v),
                ..Default::default()
            },
            Condition::Not(c) => RawCondition {
                not: Some(c),
                ..Default::default()
            },
            Condition::Compare { fact, op, value } => RawCondition {
                fact: Some(fact),
                op: Some(op),
                value: Some(value),
                ..Default::default()
            },
        }
    }
}

/// A fact value in a decision, typed like its fact: minutes, counts and
/// hundredths as integers, `active` as a bool, `status` as its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RuleValue {
    /// `active`.
    Bool(bool),
    /// Minutes, counts, hundredths.
    Int(i64),
    /// A status name.
    Text(String),
    /// The right-hand side of `in`.
    List(Vec<RuleValue>),
}

impl RuleValue {
    /// Decodes an integer-encoded fact value.
    pub fn of(fact: Fact, v: i64) -> RuleValue {
        match fact.fact_type() {
            FactType::Bool => RuleValue::Bool(v != 0),
            FactType::Status => {
                let mut f = Facts::default();
                f.set(fact, v);
                RuleValue::Text(f.status.as_str().to_owned())
            }
            _ => RuleValue::Int(v),
        }
    }
}

/// One comparison, evaluated: the explanation unit of every decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionOutcome {
    /// Which rule it belongs to (`gate:age`, `tier:3`, `perk:bus_card`).
    pub rule: String,
    /// Where in the rule (`when.all[0]`).
    pub path: String,
    /// The fact read.
    pub fact: Fact,
    /// The operator as written.
    pub op: Op,
    /// The right-hand side, in the fact's unit.
    pub required: RuleValue,
    /// The volunteer's value, in the fact's unit.
    pub actual: RuleValue,
    /// The unit of `required` and `actual` (`minutes`, `count`,
    /// `hundredths`, `bool`, `status`).
    pub unit: String,
    /// Whether the comparison holds.
    pub passed: bool,
}

/// A comparison that must change for a condition to hold, with how far the
/// volunteer is from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The fact.
    pub fact: Fact,
    /// The operator that must come to hold (negations folded in).
    pub op: Op,
    /// The right-hand side, in the fact's unit.
    pub required: RuleValue,
    /// The volunteer's value, in the fact's unit.
    pub actual: RuleValue,
    /// The unit of the values and of `shortfall`.
    pub unit: String,
    /// How much the fact must rise (or fall) for an ordered comparison;
    /// `None` for `==`, `!=`, `in`.
    pub shortfall: Option<i64>,
    /// The same in words: "needs 120.5 more hours".
    pub needs: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Atom {
    path: String,
    fact: Fact,
    op: Op,
    values: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Atom(usize),
}

/// A validated condition compiled to integer comparisons.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledCondition {
    root: Node,
    atoms: Vec<Atom>,
}

impl CompiledCondition {
    /// Type-checks and compiles `c`. Errors are `PolicyInvalid` with a path
    /// relative to the condition (`all[1].value: …`).
    pub fn compile(c: &Condition) -> Result<Self> {
        let mut atoms = Vec::new();
        let root = compile_node(c, "", &mut atoms)?;
        Ok(CompiledCondition { root, atoms })
    }

    /// Evaluates with `get` supplying each fact's encoded value.
    #[inline]
    pub fn eval(&self, get: &impl Fn(Fact) -> i64) -> bool {
        self.eval_node(&self.root, get)
    }

    fn eval_node(&self, n: &Node, get: &impl Fn(Fact) -> i64) -> bool {
        match n {
            Node::All(v) => v.iter().all(|n| self.eval_node(n, get)),
            Node::Any(v) => v.iter().any(|n| self.eval_node(n, get)),
            Node::Not(n) => !self.eval_node(n, get),
            Node::Atom(i) => self
                .atoms
                .get(*i)
                .is_some_and(|a| a.op.test(get(a.fact), &a.values)),
        }
    }

    /// Evaluates against one [`Facts`] value.
    pub fn eval_facts(&self, f: &Facts) -> bool {
        self.eval(&|fact| f.get(fact))
    }

    /// The facts this condition reads.
    pub fn facts_read(&self) -> BTreeSet<Fact> {
        self.atoms.iter().map(|a| a.fact).collect()
    }

    /// Every comparison with its outcome, in written order. Paths are
    /// prefixed with `prefix` (e.g. `when`).
    pub fn outcomes(&self, rule: &str, prefix: &str, f: &Facts) -> Vec<ConditionOutcome> {
        self.atoms
            .iter()
            .map(|a| {
                let actual = f.get(a.fact);
                ConditionOutcome {
                    rule: rule.to_owned(),
                    path: join(prefix, &a.path),
                    fact: a.fact,
                    op: a.op,
                    required: required_value(a.fact, a.op, &a.values),
                    actual: RuleValue::of(a.fact, actual),
                    unit: a.fact.fact_type().unit().to_owned(),
                    passed: a.op.test(actual, &a.values),
                }
            })
            .collect()
    }

    /// Each comparison's actual value and outcome against `f`, in the order
    /// of [`CompiledCondition::outcomes`].
    pub fn atom_results<'a>(
        &'a self,
        f: &'a Facts,
    ) -> impl Iterator<Item = (Fact, i64, bool)> + 'a {
        self.atoms.iter().map(move |a| {
            let v = f.get(a.fact);
            (a.fact, v, a.op.test(v, &a.values))
        })
    }

    /// The comparisons that stand between `f` and this condition holding,
    /// each with its shortfall. Empty when the condition holds. Under `any`,
    /// every failing alternative is listed.
    pub fn gaps(&self, f: &Facts) -> Vec<Gap> {
        let mut out = Vec::new();
        if !self.eval_facts(f) {
            self.collect_gaps(&self.root, false, f, &mut out);
        }
        out
    }

    fn collect_gaps(&self, n: &Node, negated: bool, f: &Facts, out: &mut Vec<Gap>) {
        match n {
            Node::All(v) | Node::Any(v) => {
                for c in v {
                    self.collect_gaps(c, negated, f, out);
                }
            }
            Node::Not(c) => self.collect_gaps(c, !negated, f, out),
            Node::Atom(i) => {
                let Some(a) = self.atoms.get(*i) else { return };
                let op = if negated { a.op.negated() } else { a.op };
                let v = f.get(a.fact);
                if !op.test(v, &a.values) {
                    out.push(gap(a.fact, op, &a.values, v));
                }
            }
        }
    }

    /// Proves the condition can never turn false when a more-is-better fact
    /// rises or a less-is-better fact falls. The error names the offending
    /// comparison's path.
    pub fn check_polarity(&self) -> Result<()> {
        self.polarity_node(&self.root, false)
    }

    fn polarity_node(&self, n: &Node, negated: bool) -> Result<()> {
        match n {
            Node::All(v) | Node::Any(v) => {
                v.iter().try_for_each(|c| self.polarity_node(c, negated))
            }
            Node::Not(c) => self.polarity_node(c, !negated),
            Node::Atom(i) => {
                let Some(a) = self.atoms.get(*i) else {
                    return Ok(());
                };
                let want = match a.fact.polarity() {
                    Polarity::Neutral => return Ok(()),
                    Polarity::MoreIsBetter => Mono::Up,
                    Polarity::LessIsBetter => Mono::Down,
                };
                let op = if negated { a.op.negated() } else { a.op };
                let got = monotonicity(a.fact, op, &a.values);
                if got == want || got == Mono::Const {
                    return Ok(());
                }
                let (better, dir) = match want {
                    Mono::Up => ("more-is-better", "rises"),
                    _ => ("less-is-better", "falls"),
                };
                Err(Error::policy(
                    a.path.clone(),
                    format!(
                        "{} is {better}, but `{}{} {} {}` can turn false when it {dir}",
                        a.fact,
                        if negated { "not " } else { "" },
                        a.fact,
                        a.op,
                        written(a.fact, &a.values, a.op)
                    ),
                ))
            }
        }
    }
}

/// Rows per block of the column-wise evaluator ([`MaskProgram`]): one
/// block's masks stay in L1.
pub(crate) const BLOCK: usize = 1024;

/// One step of a [`MaskProgram`], in postfix order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Push the mask of comparison `i`.
    Atom(usize),
    /// Replace the top `n` masks by their conjunction (`n` = 0 pushes
    /// all-true).
    All(usize),
    /// Replace the top `n` masks by their disjunction.
    Any(usize),
    /// Invert the top mask.
    Not,
}

/// A comparison as the column evaluator needs it (no path).
#[derive(Clone, Debug, PartialEq)]
struct MaskAtom {
    fact: Fact,
    op: Op,
    values: Vec<i64>,
}

/// Conditions compiled for column-wise evaluation: each comparison runs as
/// one tight loop over a block of rows into a mask, and `all` / `any` /
/// `not` combine masks, so no row pays for the tree walk or a per-fact
/// dispatch. Gives exactly [`CompiledCondition::eval`] row by row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MaskProgram {
    steps: Vec<Step>,
    atoms: Vec<MaskAtom>,
    depth: usize,
}

/// Scratch masks for [`MaskProgram::eval_block`].
pub(crate) type MaskStack = Vec<[bool; BLOCK]>;

impl MaskProgram {
    /// The conjunction of `conds` (all-true when there are none).
    pub(crate) fn all_of<'a>(conds: impl IntoIterator<Item = &'a CompiledCondition>) -> Self {
        let mut p = MaskProgram {
            steps: Vec::new(),
            atoms: Vec::new(),
            depth: 0,
        };
        let mut n = 0;
        for c in conds {
            let base = p.atoms.len();
            p.atoms.extend(c.atoms.iter().map(|a| MaskAtom {
                fact: a.fact,
                op: a.op,
                values: a.values.clone(),
            }));
            p.push_node(&c.root, base);
            n += 1;
        }
        if n != 1 {
            p.steps.push(Step::All(n));
        }
        // The deepest the stack gets while the steps run.
        let (mut sp, mut max) = (0usize, 1usize);
        for s in &p.steps {
            match *s {
                Step::Atom(_) | Step::All(0) => sp += 1,
                Step::All(k) | Step::Any(k) => sp = sp + 1 - k,
                Step::Not => {}
            }
            max = max.max(sp);
        }
        p.depth = max;
        p
    }

    fn push_node(&mut self, n: &Node, base: usize) {
        match n {
            Node::All(v) | Node::Any(v) => {
                for c in v {
                    self.push_node(c, base);
                }
                self.steps.push(match n {
                    Node::All(_) => Step::All(v.len()),
                    _ => Step::Any(v.len()),
                });
            }
            Node::Not(c) => {
                self.push_node(c, base);
                self.steps.push(Step::Not);
            }
            Node::Atom(i) => self.steps.push(Step::Atom(base + i)),
        }
    }

    /// How many scratch masks [`MaskProgram::eval_block`] needs.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// Evaluates rows `start .. start + len` (`len <= BLOCK`) of `cols`;
    /// the returned mask holds row `start + j` at `j`. Every column the
    /// program reads must cover those rows (callers check lengths first).
    pub(crate) fn eval_block<'s>(
        &self,
        cols: &FactsColumnsRef<'_>,
        start: usize,
        len: usize,
        stack: &'s mut MaskStack,
    ) -> &'s [bool] {
        if stack.len() < self.depth {
            stack.resize(self.depth, [false; BLOCK]);
        }
        let mut sp = 0usize;
        for step in &self.steps {
            match *step {
                Step::Atom(i) => {
                    let a = &self.atoms[i];
                    let out = &mut stack[sp][..len];
                    let rows = start..start + len;
                    const CHECKED: &str = "the caller checked the lengths of the columns read";
                    match cols.column(a.fact).1 {
                        FactColumn::Int(v) => {
                            compare(v.get(rows).expect(CHECKED), |x| x, a.op, &a.values, out)
                        }
                        FactColumn::Bool(v) => {
                            compare(v.get(rows).expect(CHECKED), i64::from, a.op, &a.values, out)
                        }
                        FactColumn::Status(v) => compare(
                            v.get(rows).expect(CHECKED),
                            VolunteerStatus::code,
                            a.op,
                            &a.values,
                            out,
                        ),
                    }
                    sp += 1;
                }
                Step::All(0) => {
                    stack[sp][..len].fill(true);
                    sp += 1;
                }
                Step::All(k) | Step::Any(k) => {
                    let and = matches!(step, Step::All(_));
                    let (head, rest) = stack[sp - k..sp].split_at_mut(1);
                    let acc = &mut head[0][..len];
                    for m in rest {
                        let m = &m[..len];
                        if and {
                            acc.iter_mut().zip(m).for_each(|(a, &b)| *a &= b);
                        } else {
                            acc.iter_mut().zip(m).for_each(|(a, &b)| *a |= b);
                        }
                    }
                    sp = sp + 1 - k;
                }
                Step::Not => stack[sp - 1][..len].iter_mut().for_each(|a| *a = !*a),
            }
        }
        &stack[0][..len]
    }
}

/// `out[j] = op.test(key(col[j]), values)`, one tight loop per operator.
#[inline]
fn compare<T: Copy>(col: &[T], key: impl Fn(T) -> i64, op: Op, values: &[i64], out: &mut [bool]) {
    let t = values.first().copied().unwrap_or(0);
    macro_rules! each {
        ($test:expr) => {
            out.iter_mut()
                .zip(col)
                .for_each(|(o, &x)| *o = $test(key(x)))
        };
    }
    match op {
        Op::Ge => each!(|v| v >= t),
        Op::Gt => each!(|v| v > t),
        Op::Le => each!(|v| v <= t),
        Op::Lt => each!(|v| v < t),
        Op::Eq => each!(|v| v == t),
        Op::Ne => each!(|v| v != t),
        Op::In | Op::NotIn => {
            out.fill(op == Op::NotIn);
            for &w in values {
                if op == Op::In {
                    out.iter_mut()
                        .zip(col)
                        .for_each(|(o, &x)| *o |= key(x) == w);
                } else {
                    out.iter_mut()
                        .zip(col)
                        .for_each(|(o, &x)| *o &= key(x) != w);
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mono {
    Up,
    Down,
    Const,
    Neither,
}

fn monotonicity(fact: Fact, op: Op, values: &[i64]) -> Mono {
    let t = values.first().copied().unwrap_or(0);
    match fact.fact_type() {
        FactType::Bool => {
            let has = |b: i64| values.contains(&b);
            match op {
                Op::Eq | Op::In if has(0) && has(1) => Mono::Const,
                Op::NotIn if has(0) && has(1) => Mono::Const,
                Op::Eq | Op::In => {
                    if has(1) {
                        Mono::Up
                    } else {
                        Mono::Down
                    }
                }
                Op::Ne | Op::NotIn => {
                    if has(1) {
                        Mono::Down
                    } else {
                        Mono::Up
                    }
                }
                _ => Mono::Neither,
            }
        }
        FactType::Status => Mono::Neither,
        _ => match op {
            Op::Ge | Op::Gt => Mono::Up,
            Op::Le | Op::Lt => Mono::Down,
            Op::Eq if t == 0 && fact.is_nonnegative_count() => Mono::Down,
            Op::Ne if t == 0 && fact.is_nonnegative_count() => Mono::Up,
            _ => Mono::Neither,
        },
    }
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

fn compile_node(c: &Condition, path: &str, atoms: &mut Vec<Atom>) -> Result<Node> {
    let sub = |name: &str| join(path, name);
    match c {
        Condition::All(v) | Condition::Any(v) => {
            let name = if matches!(c, Condition::All(_)) {
                "all"
            } else {
                "any"
            };
            if v.is_empty() {
                return Err(Error::policy(sub(name), "must not be empty"));
            }
            let nodes = v
                .iter()
                .enumerate()
                .map(|(i, c)| compile_node(c, &format!("{}[{i}]", sub(name)), atoms))
                .collect::<Result<Vec<_>>>()?;
            Ok(if name == "all" {
                Node::All(nodes)
            } else {
                Node::Any(nodes)
            })
        }
        Condition::Not(c) => Ok(Node::Not(Box::new(compile_node(c, &sub("not"), atoms)?))),
        Condition::Compare { fact, op, value } => {
            let f = Fact::parse(fact)
                .ok_or_else(|| Error::policy(sub("fact"), format!("unknown fact {fact:?}")))?;
            let ty = f.fact_type();
            let ordered = matches!(op, Op::Ge | Op::Gt | Op::Le | Op::Lt);
            if ordered && matches!(ty, FactType::Bool | FactType::Status) {
                return Err(Error::policy(
                    sub("op"),
                    format!(
                        "{op:?} does not apply to {} fact {f}",
                        ty.unit(),
                        op = op.as_str()
                    ),
                ));
            }
            if *op == Op::NotIn {
                return Err(Error::policy(
                    sub("op"),
                    "write `not` around an `in` instead",
                ));
            }
            let values = match (op, value) {
                (Op::In, Literal::List(items)) => {
                    if items.is_empty() {
                        return Err(Error::policy(sub("value"), "`in` needs a non-empty list"));
                    }
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, l)| {
                            encode(f, l)
                                .map_err(|m| Error::policy(format!("{}[{i}]", sub("value")), m))
                        })
                        .collect::<Result<Vec<_>>>()?
                }
                (Op::In, _) => {
                    return Err(Error::policy(sub("value"), "`in` needs a list"));
                }
                (_, l) => vec![encode(f, l).map_err(|m| Error::policy(sub("value"), m))?],
            };
            atoms.push(Atom {
                path: path.to_owned(),
                fact: f,
                op: *op,
                values,
            });
            Ok(Node::Atom(atoms.len() - 1))
        }
    }
}

/// Encodes a literal for `fact`, or says why it does not fit.
fn encode(fact: Fact, l: &Literal) -> std::result::Result<i64, String> {
    let ty = fact.fact_type();
    let mismatch = || format!("{l} does not fit {fact}: expected {}", type_word(ty));
    match (ty, l) {
        (FactType::Bool, Literal::Bool(b)) => Ok(i64::from(*b)),
        (FactType::Status, Literal::Text(s)) => VolunteerStatus::parse(s)
            .map(|s| s.code())
            .ok_or_else(|| format!("{s:?} is not one of active, suspended, deregistered")),
        (FactType::Count, Literal::Int(i)) => Ok(*i),
        (
            FactType::Hours | FactType::Rating,
            Literal::Int(_) | Literal::Decimal(_) | Literal::Text(_),
        ) => {
            let text = match l {
                Literal::Int(i) => i.to_string(),
                Literal::Decimal(x) if x.is_finite() => format!("{x}"),
                Literal::Text(s) => s.clone(),
                _ => return Err(mismatch()),
            };
            let scale = if ty == FactType::Hours { 60 } else { 100 };
            scaled_decimal(&text, scale).ok_or_else(|| match ty {
                FactType::Hours => format!("{l} hours is not a whole number of minutes"),
                _ => format!("{l} is not a rating with at most two decimals"),
            })
        }
        _ => Err(mismatch()),
    }
}

fn type_word(ty: FactType) -> &'static str {
    match ty {
        FactType::Hours => "a number of hours",
        FactType::Count => "a whole number",
        FactType::Rating => "a rating such as 4.5",
        FactType::Bool => "true or false",
        FactType::Status => "a status name",
    }
}

/// `text` (a plain decimal like `-120.5`) times `scale`, if that is a whole
/// number that fits in i64.
fn scaled_decimal(text: &str, scale: i64) -> Option<i64> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() || int.len() > 18 || frac.len() > 18 {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    let denom = 10i128.checked_pow(frac.len() as u32)?;
    let num = digits.checked_mul(i128::from(scale))?;
    if num % denom != 0 {
        return None;
    }
    let v = i64::try_from(num / denom).ok()?;
    Some(if neg { -v } else { v })
}

fn required_value(fact: Fact, op: Op, values: &[i64]) -> RuleValue {
    match op {
        Op::In | Op::NotIn => {
            RuleValue::List(values.iter().map(|&v| RuleValue::of(fact, v)).collect())
        }
        _ => RuleValue::of(fact, values.first().copied().unwrap_or(0)),
    }
}

/// A value of `fact` in the units policies write (hours, ratings as
/// decimals).
pub fn written_value(fact: Fact, v: i64) -> String {
    match fact.fact_type() {
        FactType::Hours => decimal(v, 60).unwrap_or_else(|| format!("{v} min")),
        FactType::Rating => decimal(v, 100).unwrap_or_else(|| v.to_string()),
        FactType::Bool => (v != 0).to_string(),
        FactType::Status => match RuleValue::of(fact, v) {
            RuleValue::Text(s) => s,
            _ => v.to_string(),
        },
        FactType::Count => v.to_string(),
    }
}

fn written(fact: Fact, values: &[i64], op: Op) -> String {
    match op {
        Op::In | Op::NotIn => format!(
            "[{}]",
            values
                .iter()
                .map(|&v| written_value(fact, v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => written_value(fact, values.first().copied().unwrap_or(0)),
    }
}

/// `v / unit` as a short exact decimal (at most two places), if it has one.
fn decimal(v: i64, unit: i64) -> Option<String> {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let unit = unit.unsigned_abs();
    let whole = a / unit;
    let rem = a % unit;
    if rem == 0 {
        return Some(format!("{sign}{whole}"));
    }
    for (places, scale) in [(1usize, 10u64), (2, 100)] {
        if (rem * scale).is_multiple_of(unit) {
            return Some(format!("{sign}{whole}.{:0places$}", rem * scale / unit));
        }
    }
    None
}

fn gap(fact: Fact, op: Op, values: &[i64], actual: i64) -> Gap {
    let t = values.first().copied().unwrap_or(0);
    let shortfall = match op {
        Op::Ge => Some(t.saturating_sub(actual)),
        Op::Gt => Some(t.saturating_sub(actual).saturating_add(1)),
        Op::Le => Some(actual.saturating_sub(t)),
        Op::Lt => Some(actual.saturating_sub(t).saturating_add(1)),
        _ => None,
    };
    let needs = match (op, shortfall) {
        (Op::Ge | Op::Gt, Some(n)) => needs_more(fact, n),
        (Op::Le | Op::Lt, Some(n)) => format!("must fall by {}", amount(fact, n)),
        (Op::Eq, _) => format!("must be {}", written(fact, values, op)),
        (Op::Ne, _) => format!("must not be {}", written(fact, values, op)),
        (Op::In, _) => format!("must be one of {}", written(fact, values, op)),
        _ => format!("must not be one of {}", written(fact, values, op)),
    };
    Gap {
        fact,
        op,
        required: required_value(fact, op, values),
        actual: RuleValue::of(fact, actual),
        unit: fact.fact_type().unit().to_owned(),
        shortfall,
        needs,
    }
}

fn amount(fact: Fact, n: i64) -> String {
    match fact.fact_type() {
        FactType::Hours => match decimal(n, 60).filter(|_| n % 6 == 0) {
            Some(h) if n == 60 => format!("{h} hour"),
            Some(h) => format!("{h} hours"),
            None if n == 1 => "1 minute".to_owned(),
            None => format!("{n} minutes"),
        },
        _ => written_value(fact, n),
    }
}

fn needs_more(fact: Fact, n: i64) -> String {
    match fact.fact_type() {
        FactType::Hours => match decimal(n, 60).filter(|_| n % 6 == 0) {
            Some(h) if n == 60 => format!("needs {h} more hour"),
            Some(h) => format!("needs {h} more hours"),
            None if n == 1 => "needs 1 more minute".to_owned(),
            None => format!("needs {n} more minutes"),
        },
        _ => format!("needs {} more", written_value(fact, n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_convert_exactly_or_not_at_all() {
        assert_eq!(scaled_decimal("120.5", 60), Some(7230));
        assert_eq!(scaled_decimal("0.1", 60), Some(6));
        assert_eq!(scaled_decimal("100", 60), Some(6000));
        assert_eq!(scaled_decimal("0.01", 60), None);
        assert_eq!(scaled_decimal("4.25", 100), Some(425));
        assert_eq!(scaled_decimal("4.255", 100), None);
        assert_eq!(scaled_decimal("-1.5", 60), Some(-90));
        assert_eq!(scaled_decimal("1e3", 60), None);
        assert_eq!(scaled_decimal("", 60), None);
        assert_eq!(scaled_decimal("99999999999999999999", 60), None);
    }

    #[test]
    fn needs_text_reads_like_hours() {
        assert_eq!(needs_more(Fact::CumulativeHours, 60), "needs 1 more hour");
        assert_eq!(
            needs_more(Fact::CumulativeHours, 7230),
            "needs 120.5 more hours"
        );
        assert_eq!(needs_more(Fact::CumulativeHours, 7), "needs 7 more minutes");
        assert_eq!(needs_more(Fact::MonthsRegistered, 2), "needs 2 more");
        assert_eq!(needs_more(Fact::AverageRating, 25), "needs 0.25 more");
    }
}
