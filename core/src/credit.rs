//! 文明贷 credit decisions: gates, tiers, limits, rate discounts, reasons.
//!
//! A [`CreditPolicy`] is a decision table: **gates** (conditions that must
//! all hold) and **tiers** (condition → limit in fen, rate discount in basis
//! points). The decision is the *highest* tier whose condition holds, if
//! every gate holds. Validation proves the table monotone on load: every
//! gate and tier condition must never turn false when a more-is-better fact
//! rises or a less-is-better fact falls ([`CompiledCondition::check_polarity`]),
//! and limits and discounts must not decrease from one tier to the next, so
//! more hours can never lower the tier or the limit. Limits above `cap_fen`
//! (default 50,000,000 fen = 500,000 yuan) are rejected.
//!
//! The default is the illustrative table of domain-rules §3.4.
//!
//! ```
//! use zhiyuan::Policy;
//! use zhiyuan::credit::CreditEngine;
//! use zhiyuan::facts::Facts;
//! let policy = Policy::default();
//! let engine = CreditEngine::new(&policy)?;
//! let mut f = Facts { cumulative_minutes: 99 * 60, minutes_last_12_months: 20 * 60,
//!                     age: 30, months_registered: 12, ..Facts::default() };
//! let as_of = "2024-06-01T00:00:00Z".parse()?;
//! let d = engine.decide(&f, as_of);
//! assert!(!d.eligible);
//! assert_eq!(d.next_tier.as_ref().unwrap().unmet[0].needs, "needs 1 more hour");
//! f.cumulative_minutes = 100 * 60;
//! let d = engine.decide(&f, as_of);
//! assert_eq!((d.tier, d.limit_fen, d.rate_discount_bp), (Some(1), 10_000_000, 25));
//! assert_eq!(d.policy_hash, policy.hash());
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::facts::{Fact, Facts, FactsColumns, FactsColumnsRef};
use crate::policy::{Policy, PolicySpec, ensure};
use crate::rules::{
    BLOCK, CompiledCondition, Condition, ConditionOutcome, Gap, MaskProgram, MaskStack, Op,
    RuleValue,
};
use crate::threads::{self, Threads};
use crate::time::Timestamp;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A condition every applicant must meet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    /// A unique, stable id, reported in `failing_gates`.
    pub id: String,
    /// The condition.
    pub when: Condition,
}

/// One row of the tier table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// A unique, stable id.
    pub id: String,
    /// The condition.
    pub when: Condition,
    /// The indicative credit limit, in fen.
    pub limit_fen: i64,
    /// The rate discount, in basis points.
    pub rate_discount_bp: i64,
}

/// 文明贷 gates and tiers (domain-rules §3.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreditPolicy {
    /// The highest limit any tier may grant, in fen. Default 50,000,000
    /// (500,000 yuan, the original briefing; domain-rules §0).
    pub cap_fen: i64,
    /// The highest rate discount any tier may grant, in basis points.
    /// Default 10,000 (100 %).
    pub max_discount_bp: i64,
    /// Conditions that must all hold.
    pub gates: Vec<Gate>,
    /// The tier table, lowest first; the highest matching tier applies.
    pub tiers: Vec<Tier>,
}

fn cmp(fact: &str, op: Op, v: i64) -> Condition {
    Condition::cmp(fact, op, v)
}

impl Default for CreditPolicy {
    fn default() -> Self {
        let gate = |id: &str, when| Gate {
            id: id.to_owned(),
            when,
        };
        let tier = |n: i64, hours: i64, yuan: i64, bp: i64| Tier {
            id: format!("tier_{n}"),
            when: cmp("cumulative_hours", Op::Ge, hours),
            limit_fen: yuan * 100,
            rate_discount_bp: bp,
        };
        CreditPolicy {
            cap_fen: 50_000_000,
            max_discount_bp: 10_000,
            gates: vec![
                gate(
                    "age_22_to_60",
                    Condition::All(vec![cmp("age", Op::Ge, 22), cmp("age", Op::Le, 60)]),
                ),
                gate("registered_6_months", cmp("months_registered", Op::Ge, 6)),
                gate(
                    "active_last_12_months",
                    cmp("hours_last_12_months", Op::Ge, 20),
                ),
                gate("no_fraud_3_years", cmp("fraud_revocations", Op::Eq, 0)),
                gate("no_bad_credit_3_years", cmp("sanctions", Op::Eq, 0)),
                gate("not_suspended", Condition::cmp("status", Op::Eq, "active")),
            ],
            tiers: vec![
                tier(1, 100, 100_000, 25),
                tier(2, 300, 200_000, 50),
                tier(3, 600, 300_000, 75),
                tier(4, 1000, 400_000, 100),
                tier(5, 1500, 500_000, 125),
            ],
        }
    }
}

/// Checks that `ids` are non-empty and unique; errors name `list[i].id`.
pub(crate) fn check_ids<'a>(list: &str, ids: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut seen = BTreeSet::new();
    for (i, id) in ids.enumerate() {
        let field = format!("{list}[{i}].id");
        ensure(!id.trim().is_empty(), &field, "must not be empty")?;
        ensure(seen.insert(id), &field, &format!("duplicate id {id:?}"))?;
    }
    Ok(())
}

/// Compiles a condition and proves it monotone; errors are prefixed with
/// `path` (e.g. `tiers[2].when`).
pub(crate) fn compile_monotone(c: &Condition, path: &str) -> Result<CompiledCondition> {
    let compiled = CompiledCondition::compile(c).map_err(|e| e.at(path))?;
    compiled.check_polarity().map_err(|e| e.at(path))?;
    Ok(compiled)
}

impl CreditPolicy {
    pub(crate) fn validate(&self, _spec: &PolicySpec) -> Result<()> {
        ensure(self.cap_fen > 0, "cap_fen", "must be > 0")?;
        ensure(
            (0..=10_000).contains(&self.max_discount_bp),
            "max_discount_bp",
            "must be within 0..=10000",
        )?;
        check_ids("gates", self.gates.iter().map(|g| g.id.as_str()))?;
        for (i, g) in self.gates.iter().enumerate() {
            compile_monotone(&g.when, &format!("gates[{i}].when"))?;
        }
        ensure(!self.tiers.is_empty(), "tiers", "must not be empty")?;
        check_ids("tiers", self.tiers.iter().map(|t| t.id.as_str()))?;
        for (i, t) in self.tiers.iter().enumerate() {
            compile_monotone(&t.when, &format!("tiers[{i}].when"))?;
            let at = |f: &str| format!("tiers[{i}].{f}");
            ensure(t.limit_fen >= 0, &at("limit_fen"), "must be >= 0")?;
            ensure(
                t.limit_fen <= self.cap_fen,
                &at("limit_fen"),
                &format!("{} exceeds the cap of {} fen", t.limit_fen, self.cap_fen),
            )?;
            ensure(
                (0..=self.max_discount_bp).contains(&t.rate_discount_bp),
                &at("rate_discount_bp"),
                &format!("must be within 0..={}", self.max_discount_bp),
            )?;
            if let Some(prev) = i.checked_sub(1).and_then(|p| self.tiers.get(p)) {
                ensure(
                    t.limit_fen >= prev.limit_fen,
                    &at("limit_fen"),
                    &format!(
                        "tier {:?} pays {} fen, less than the lower tier {:?} ({} fen): more hours must never lower the limit",
                        t.id, t.limit_fen, prev.id, prev.limit_fen
                    ),
                )?;
                ensure(
                    t.rate_discount_bp >= prev.rate_discount_bp,
                    &at("rate_discount_bp"),
                    &format!(
                        "tier {:?} discounts {} bp, less than the lower tier {:?} ({} bp)",
                        t.id, t.rate_discount_bp, prev.id, prev.rate_discount_bp
                    ),
                )?;
            }
        }
        Ok(())
    }
}

/// The tier above the one reached, and what stands in the way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextTier {
    /// Its number, 1 = the lowest tier.
    pub tier: u32,
    /// Its id.
    pub id: String,
    /// Its limit, in fen.
    pub limit_fen: i64,
    /// Its discount, in basis points.
    pub rate_discount_bp: i64,
    /// The comparisons still unmet, each with its shortfall.
    pub unmet: Vec<Gap>,
}

/// One 文明贷 decision with its reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditDecision {
    /// Every gate holds and some tier matches.
    pub eligible: bool,
    /// The tier granted (1 = lowest), when eligible.
    pub tier: Option<u32>,
    /// Its id, when eligible.
    pub tier_id: Option<String>,
    /// The indicative limit in fen (0 when not eligible).
    pub limit_fen: i64,
    /// The rate discount in basis points (0 when not eligible).
    pub rate_discount_bp: i64,
    /// Every comparison of every gate (`rule` = `gate:<id>`) and every tier
    /// (`tier:<id>`), in policy order.
    pub conditions: Vec<ConditionOutcome>,
    /// Ids of the gates that fail, in policy order.
    pub failing_gates: Vec<String>,
    /// The tier above the highest tier the facts reach (gates aside), with
    /// its unmet comparisons; `None` at the top tier.
    pub next_tier: Option<NextTier>,
    /// The hash of the policy used.
    pub policy_hash: String,
    /// The instant the facts describe.
    pub as_of: Timestamp,
}

/// Tier and limit for many rows, as columns. `tier` 0 means not eligible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditBatch {
    /// Whether each row is eligible.
    pub eligible: Vec<bool>,
    /// The tier per row, 1 = lowest; 0 = not eligible.
    pub tier: Vec<u32>,
    /// The limit per row, in fen.
    pub limit_fen: Vec<i64>,
    /// The discount per row, in basis points.
    pub rate_discount_bp: Vec<i64>,
    /// The full decision per row, when asked for.
    pub reasons: Option<Vec<CreditDecision>>,
    /// The hash of the policy used.
    pub policy_hash: String,
    /// The instant the facts describe.
    pub as_of: Timestamp,
}

/// The hot-path decision: tier and terms without reasons (what
/// [`CreditEngine::grant`] returns and the C struct call carries).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditGrant {
    /// The granted tier, 1 = lowest; 0 = not eligible.
    pub tier: u32,
    /// The limit in fen (0 when not eligible).
    pub limit_fen: i64,
    /// The rate discount in basis points (0 when not eligible).
    pub rate_discount_bp: i64,
}

impl CreditGrant {
    /// Whether a tier was granted.
    pub fn eligible(&self) -> bool {
        self.tier > 0
    }
}

struct CompiledTier {
    tier: Tier,
    when: CompiledCondition,
    /// `when` for the column kernel.
    mask: MaskProgram,
}

/// Rows per parallel task of [`CreditEngine::decide_columns`]: enough to
/// amortise a task, few enough to balance two threads on a million rows.
const CHUNK: usize = 16 * BLOCK;

/// The credit policy compiled once for fast single and batch decisions.
pub struct CreditEngine {
    policy_hash: String,
    gates: Vec<(String, CompiledCondition)>,
    /// Every gate at once, for the column kernel.
    all_gates: MaskProgram,
    tiers: Vec<CompiledTier>,
    reads: BTreeSet<Fact>,
    /// Every gate's then every tier's outcomes with the per-row parts
    /// blank: rows clone these instead of formatting labels and paths.
    templates: Vec<ConditionOutcome>,
}

impl CreditEngine {
    /// Compiles the credit section of a (validated) policy.
    pub fn new(policy: &Policy) -> Result<Self> {
        let c = &policy.credit;
        let gates = c
            .gates
            .iter()
            .enumerate()
            .map(|(i, g)| {
                Ok((
                    g.id.clone(),
                    compile_monotone(&g.when, &format!("credit.gates[{i}].when"))?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let tiers = c
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let when = compile_monotone(&t.when, &format!("credit.tiers[{i}].when"))?;
                Ok(CompiledTier {
                    tier: t.clone(),
                    mask: MaskProgram::all_of([&when]),
                    when,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let reads = gates
            .iter()
            .flat_map(|(_, g)| g.facts_read())
            .chain(tiers.iter().flat_map(|t| t.when.facts_read()))
            .collect();
        let blank = Facts::default();
        let templates = gates
            .iter()
            .flat_map(|(id, g)| g.outcomes(&format!("gate:{id}"), "when", &blank))
            .chain(tiers.iter().flat_map(|t| {
                t.when
                    .outcomes(&format!("tier:{}", t.tier.id), "when", &blank)
            }))
            .collect();
        Ok(CreditEngine {
            policy_hash: policy.hash().to_owned(),
            all_gates: MaskProgram::all_of(gates.iter().map(|(_, g)| g)),
            gates,
            tiers,
            reads,
            templates,
        })
    }

    /// The facts the policy reads (the columns a batch must fill).
    pub fn facts_read(&self) -> &BTreeSet<Fact> {
        &self.reads
    }

    /// Index of the highest tier matched (ignoring gates), if any.
    #[inline]
    fn highest_tier(&self, get: &impl Fn(Fact) -> i64) -> Option<usize> {
        self.tiers.iter().rposition(|t| t.when.eval(get))
    }

    /// The granted tier number (0 = not eligible), the fast path.
    #[inline]
    pub fn tier_number(&self, get: &impl Fn(Fact) -> i64) -> u32 {
        if !self.gates.iter().all(|(_, g)| g.eval(get)) {
            return 0;
        }
        self.highest_tier(get).map_or(0, |i| i as u32 + 1)
    }

    /// Tier and terms for one volunteer without reasons or allocation: the
    /// same tier, limit and discount as [`CreditEngine::decide`].
    #[inline]
    pub fn grant(&self, facts: &Facts) -> CreditGrant {
        self.grant_of_tier(self.tier_number(&|f| facts.get(f)))
    }

    /// The terms of tier number `tier` (0 or out of range: not eligible).
    #[inline]
    pub fn grant_of_tier(&self, tier: u32) -> CreditGrant {
        match (tier as usize)
            .checked_sub(1)
            .and_then(|i| self.tiers.get(i))
        {
            Some(t) => CreditGrant {
                tier,
                limit_fen: t.tier.limit_fen,
                rate_discount_bp: t.tier.rate_discount_bp,
            },
            None => CreditGrant::default(),
        }
    }

    /// The full decision for one volunteer.
    pub fn decide(&self, facts: &Facts, as_of: Timestamp) -> CreditDecision {
        let get = |f: Fact| facts.get(f);
        let results = self
            .gates
            .iter()
            .flat_map(|(_, g)| g.atom_results(facts))
            .chain(self.tiers.iter().flat_map(|t| t.when.atom_results(facts)));
        let conditions = self
            .templates
            .iter()
            .zip(results)
            .map(|(t, (fact, actual, passed))| ConditionOutcome {
                actual: RuleValue::of(fact, actual),
                passed,
                ..t.clone()
            })
            .collect();
        let failing_gates: Vec<String> = self
            .gates
            .iter()
            .filter(|(_, g)| !g.eval(&get))
            .map(|(id, _)| id.clone())
            .collect();
        let reached = self.highest_tier(&get);
        let granted = reached.filter(|_| failing_gates.is_empty());
        let granted_tier = granted.and_then(|i| self.tiers.get(i));
        let next = reached.map_or(0, |i| i + 1);
        let next_tier = self.tiers.get(next).map(|t| NextTier {
            tier: next as u32 + 1,
            id: t.tier.id.clone(),
            limit_fen: t.tier.limit_fen,
            rate_discount_bp: t.tier.rate_discount_bp,
            unmet: t.when.gaps(facts),
        });
        CreditDecision {
            eligible: granted.is_some(),
            tier: granted.map(|i| i as u32 + 1),
            tier_id: granted_tier.map(|t| t.tier.id.clone()),
            limit_fen: granted_tier.map_or(0, |t| t.tier.limit_fen),
            rate_discount_bp: granted_tier.map_or(0, |t| t.tier.rate_discount_bp),
            conditions,
            failing_gates,
            next_tier,
            policy_hash: self.policy_hash.clone(),
            as_of,
        }
    }

    /// Tier and limit for every row of `cols`, in parallel on the global
    /// pool; identical to [`CreditEngine::decide`] row by row and
    /// independent of the thread count. With `with_reasons`, every row's
    /// full decision too. See [`CreditEngine::decide_columns`].
    pub fn decide_batch(
        &self,
        cols: &FactsColumns,
        as_of: Timestamp,
        with_reasons: bool,
    ) -> Result<CreditBatch> {
        self.decide_columns(cols.as_ref(), as_of, with_reasons, Threads::Global)
    }

    /// Tier and limit for every row of borrowed columns with `threads`:
    /// the policy's gates and tiers run as one tight loop per comparison
    /// over blocks of rows (no per-row allocation or tree walk), in
    /// parallel chunks whose outputs are written in place, so the result is
    /// the same for any thread count. Identical to [`CreditEngine::decide`]
    /// row by row. With `with_reasons`, every row's full decision too.
    ///
    /// Every column the policy reads must have as many rows as the longest
    /// column (`InvalidInput` naming `columns.<name>` otherwise).
    pub fn decide_columns(
        &self,
        cols: FactsColumnsRef<'_>,
        as_of: Timestamp,
        with_reasons: bool,
        threads: Threads,
    ) -> Result<CreditBatch> {
        let n = cols.rows();
        for &f in &self.reads {
            let (name, len) = cols.column_len(f);
            if len != n {
                return Err(Error::invalid_input(
                    format!("columns.{name}"),
                    format!("has {len} rows, expected {n}"),
                ));
            }
        }
        threads::run(threads, || {
            let mut tier = vec![0u32; n];
            let mut limit_fen = vec![0i64; n];
            let mut rate_discount_bp = vec![0i64; n];
            let mut eligible = vec![false; n];
            tier.par_chunks_mut(CHUNK)
                .zip(limit_fen.par_chunks_mut(CHUNK))
                .zip(rate_discount_bp.par_chunks_mut(CHUNK))
                .zip(eligible.par_chunks_mut(CHUNK))
                .enumerate()
                .for_each(|(c, (((t, l), d), e))| {
                    self.grant_chunk(&cols, c * CHUNK, GrantColumns { t, l, d, e });
                });
            let reasons = with_reasons.then(|| {
                (0..n)
                    .into_par_iter()
                    .with_min_len(256)
                    .map(|row| self.decide(&cols.row(row), as_of))
                    .collect()
            });
            CreditBatch {
                eligible,
                tier,
                limit_fen,
                rate_discount_bp,
                reasons,
                policy_hash: self.policy_hash.clone(),
                as_of,
            }
        })
    }

    /// Fills the grants of rows `start ..` (as many as `out` holds), block
    /// by block: each tier's mask overwrites the tier number where it holds,
    /// so the highest matching tier wins; failing gates then clear it, and
    /// the terms are looked up once per row.
    fn grant_chunk(&self, cols: &FactsColumnsRef<'_>, start: usize, out: GrantColumns<'_>) {
        let depth = self.tiers.iter().map(|t| t.mask.depth());
        let depth = depth.fold(self.all_gates.depth(), usize::max);
        let mut stack: MaskStack = vec![[false; BLOCK]; depth];
        // Terms by tier number; 0 = not eligible.
        let terms: Vec<(i64, i64)> = std::iter::once((0, 0))
            .chain(
                self.tiers
                    .iter()
                    .map(|t| (t.tier.limit_fen, t.tier.rate_discount_bp)),
            )
            .collect();
        let mut reached = [0u32; BLOCK];
        let GrantColumns { t, l, d, e } = out;
        let blocks = t
            .chunks_mut(BLOCK)
            .zip(l.chunks_mut(BLOCK))
            .zip(d.chunks_mut(BLOCK))
            .zip(e.chunks_mut(BLOCK));
        for (b, (((t, l), d), e)) in blocks.enumerate() {
            let (row, len) = (start + b * BLOCK, t.len());
            let reached = &mut reached[..len];
            reached.fill(0);
            for (i, ct) in self.tiers.iter().enumerate() {
                let number = i as u32 + 1;
                let m = ct.mask.eval_block(cols, row, len, &mut stack);
                for (r, &m) in reached.iter_mut().zip(m) {
                    *r = if m { number } else { *r };
                }
            }
            let g = self.all_gates.eval_block(cols, row, len, &mut stack);
            let outs = t.iter_mut().zip(l.iter_mut()).zip(d.iter_mut().zip(e));
            for (((t, l), (d, e)), (&r, &g)) in outs.zip(reached.iter().zip(g)) {
                let n = if g { r } else { 0 };
                let (fen, bp) = terms.get(n as usize).copied().unwrap_or((0, 0));
                (*t, *l, *d, *e) = (n, fen, bp, n != 0);
            }
        }
    }
}

/// One chunk of the output columns of [`CreditEngine::decide_columns`].
struct GrantColumns<'a> {
    t: &'a mut [u32],
    l: &'a mut [i64],
    d: &'a mut [i64],
    e: &'a mut [bool],
}

/// One decision under `policy` (compiles the policy; reuse a
/// [`CreditEngine`] for many).
pub fn decide(policy: &Policy, facts: &Facts, as_of: Timestamp) -> Result<CreditDecision> {
    Ok(CreditEngine::new(policy)?.decide(facts, as_of))
}
