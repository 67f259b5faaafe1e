//! Store analytics, pure: the period asked for (UTC days), the figures a store sees for it, and the
//! geometry of the revenue chart, which Leptos renders as SVG on the server (no JavaScript needed).
//!
//! What counts (the SQL in `server/src/store/sql_analytics.rs` follows these definitions):
//! - An **order** is a store's part of an order, on the UTC day the order was placed.
//! - A **paid order** is a part that was paid: status paid, processing, partially shipped, shipped,
//!   delivered or refunded, or cancelled by the store after payment (`cancelled_at` set; an unpaid
//!   order that expired or whose card was declined is cancelled without it and never counts).
//! - **Gross sales** sum the paid parts' totals (items, shipping and tax, after discounts).
//! - **Refunds** are what went or is going back: a part's `refunded_minor` (refunds in flight
//!   included), and all of a part the store cancelled (refunded, or its authorization voided).
//!   They count on the day the order was placed, so a day's figure settles as refunds happen.
//! - **Revenue** = gross sales − refunds; **average order value** = revenue ÷ paid orders.
//! - **Top products**: the lines of paid parts not cancelled, by revenue (line total − refunded)
//!   then units.
//! - **Funnel**: product views (signed-in shoppers, once per shopper and product, on the day of
//!   their latest view — `product_views` keeps one row per pair), adds to cart (every successful
//!   add, `cart_adds`), paid orders.
use crate::domain::dates::{civil_from_days, days_from_civil};
use crate::domain::errors::AppError;
use crate::domain::money::{Currency, Money};
use crate::domain::order::PartStatus;
use serde::{Deserialize, Serialize};

pub const DAY: i64 = 86_400;
/// The longest period: a (leap) year.
pub const MAX_DAYS: i64 = 366;
/// The period shown when none is asked for: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;
/// Rows in the top products table.
pub const TOP_PRODUCTS: i64 = 10;

/// Part statuses that mean the part was paid (plus `cancelled` with `cancelled_at` set).
pub const PAID_STATUSES: [&str; 6] = ["paid", "processing", "partially_shipped", "shipped", "delivered", "refunded"];

/// Inclusive range of UTC days (days since 1970-01-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from_day: i64,
    pub to_day: i64,
}

impl Period {
    pub fn days(&self) -> i64 {
        self.to_day - self.from_day + 1
    }
    /// First second of the period (unix).
    pub fn start(&self) -> i64 {
        self.from_day * DAY
    }
    /// First second after the period (unix), exclusive.
    pub fn end(&self) -> i64 {
        (self.to_day + 1) * DAY
    }
    pub fn from_ymd(&self) -> String {
        ymd_of_day(self.from_day)
    }
    pub fn to_ymd(&self) -> String {
        ymd_of_day(self.to_day)
    }
}

pub fn ymd_of_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// "1 Dec", for axis labels.
pub fn short_day(day: i64) -> String {
    let (_, m, d) = civil_from_days(day);
    format!("{d} {}", MONTHS[(m - 1) as usize])
}

/// A `YYYY-MM-DD` date as a day number; `None` for anything else, including 2026-02-30.
pub fn parse_day(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        // `get`: a multi-byte character may straddle the range (outside input).
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let day = days_from_civil(y, m, d);
    // Round-tripping rejects days past the month's end.
    (civil_from_days(day) == (y, m, d)).then_some(day)
}

/// The period from the form's `from` and `to` (either may be blank): `to` defaults to today,
/// `from` to 29 days before `to`. Errors name the field to fix.
pub fn period(from: Option<&str>, to: Option<&str>, today: i64) -> Result<Period, AppError> {
    let field = |name: &str, raw: Option<&str>| -> Result<Option<i64>, AppError> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => parse_day(s)
                .map(Some)
                .ok_or_else(|| AppError::one(name, format!("“{s}” is not a date; use YYYY-MM-DD, like 2026-12-01."))),
        }
    };
    let to_day = field("to", to)?;
    let from_day = field("from", from)?;
    let to_day = to_day.unwrap_or(today);
    let from_day = from_day.unwrap_or(to_day - (DEFAULT_DAYS - 1));
    if from_day > to_day {
        return Err(AppError::one("to", "The end date must be on or after the start date."));
    }
    let p = Period { from_day, to_day };
    if p.days() > MAX_DAYS {
        return Err(AppError::one("from", format!("Choose at most {MAX_DAYS} days ({} asked).", p.days())));
    }
    Ok(p)
}

/// One day's sales.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySales {
    pub day: i64,
    pub gross_minor: i64,
    pub refunds_minor: i64,
    /// Paid orders placed that day.
    pub orders: i64,
}

impl DaySales {
    pub fn revenue_minor(&self) -> i64 {
        self.gross_minor - self.refunds_minor
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: PartStatus,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopProduct {
    pub product_id: i64,
    pub title: String,
    pub units: i64,
    pub revenue_minor: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    pub views: i64,
    pub adds: i64,
    pub orders: i64,
}

impl Funnel {
    /// Views → adds, adds → orders, views → orders, in percent (`None` when nothing to divide by).
    pub fn rates(&self) -> [Option<f64>; 3] {
        [rate(self.adds, self.views), rate(self.orders, self.adds), rate(self.orders, self.views)]
    }
}

/// What the database holds for a store and period, as the store reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawFigures {
    /// Only days with paid orders, in any order.
    pub days: Vec<DaySales>,
    /// Every part placed in the period, by status.
    pub by_status: Vec<StatusCount>,
    pub top: Vec<TopProduct>,
    pub views: i64,
    pub adds: i64,
}

/// The analytics page's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analytics {
    pub merchant_id: i64,
    pub store_name: String,
    pub currency: Currency,
    pub period: Period,
    /// Every day of the period, zeros included, in order.
    pub days: Vec<DaySales>,
    pub gross_minor: i64,
    pub refunds_minor: i64,
    pub revenue_minor: i64,
    pub orders: i64,
    pub average_order_minor: Option<i64>,
    pub by_status: Vec<StatusCount>,
    pub top: Vec<TopProduct>,
    pub funnel: Funnel,
}

impl Analytics {
    pub fn assemble(merchant_id: i64, store_name: String, currency: Currency, period: Period, raw: RawFigures) -> Self {
        let days = fill_days(period, &raw.days);
        let gross_minor = days.iter().map(|d| d.gross_minor).sum();
        let refunds_minor = days.iter().map(|d| d.refunds_minor).sum();
        let orders = days.iter().map(|d| d.orders).sum();
        let revenue_minor = gross_minor - refunds_minor;
        let mut by_status = raw.by_status;
        by_status.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.status.as_str().cmp(b.status.as_str())));
        Analytics {
            merchant_id,
            store_name,
            currency,
            period,
            days,
            gross_minor,
            refunds_minor,
            revenue_minor,
            orders,
            average_order_minor: average_order(revenue_minor, orders),
            by_status,
            top: raw.top,
            funnel: Funnel { views: raw.views, adds: raw.adds, orders },
        }
    }

    pub fn money(&self, minor: i64) -> Money {
        Money::new(minor, self.currency)
    }
}

/// Every day of the period in order, with zeros where nothing sold; days outside are dropped and
/// duplicates added up.
pub fn fill_days(period: Period, sparse: &[DaySales]) -> Vec<DaySales> {
    let mut days: Vec<DaySales> =
        (period.from_day..=period.to_day).map(|day| DaySales { day, ..Default::default() }).collect();
    for s in sparse {
        if let Some(d) = days.get_mut((s.day - period.from_day) as usize).filter(|_| s.day >= period.from_day) {
            d.gross_minor += s.gross_minor;
            d.refunds_minor += s.refunds_minor;
            d.orders += s.orders;
        }
    }
    days
}

/// Revenue ÷ orders, rounded half away from zero; `None` without orders.
pub fn average_order(revenue_minor: i64, orders: i64) -> Option<i64> {
    if orders <= 0 {
        return None;
    }
    let half = orders / 2;
    Some(if revenue_minor >= 0 { (revenue_minor + half) / orders } else { (revenue_minor - half) / orders })
}

/// `part` of `whole` in percent; `None` when `whole` is 0.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// "42.9%", or "—" when there is nothing to divide by.
pub fn percent_label(rate: Option<f64>) -> String {
    rate.map(|r| format!("{r:.1}%")).unwrap_or_else(|| "—".into())
}

/// The y axis: 0 up to the first "nice" number (1, 2, 2.5 or 5 × 10ⁿ steps) at or above `max`,
/// in about `target` steps. A flat zero series still gets an axis up to one step of `min_step`.
pub fn nice_ticks(max: i64, target: i64, min_step: i64) -> Vec<i64> {
    let target = target.max(1);
    let max = max.max(0);
    let raw = (max + target - 1) / target;
    let mut magnitude = 1i64;
    while magnitude * 10 <= raw {
        magnitude *= 10;
    }
    let step = [1, 2, 5, 10]
        .iter()
        .map(|m| m * magnitude)
        .chain(std::iter::once(magnitude * 25 / 10).filter(|_| magnitude >= 10))
        .filter(|s| *s >= raw)
        .min()
        .unwrap_or(magnitude * 10)
        .max(min_step.max(1));
    let top = if max == 0 { step } else { (max + step - 1) / step * step };
    (0..=top / step).map(|i| i * step).collect()
}

/// Which of `n` points get an x label: at most `max_labels`, evenly strided from the first; the
/// last point is labelled too when it is not too close to the previous label.
pub fn label_indices(n: usize, max_labels: usize) -> Vec<usize> {
    if n == 0 || max_labels == 0 {
        return Vec::new();
    }
    let stride = n.div_ceil(max_labels).max(1);
    let mut idx: Vec<usize> = (0..n).step_by(stride).collect();
    let last = n - 1;
    if *idx.last().unwrap() != last {
        if last - idx.last().unwrap() >= stride.div_ceil(2) && idx.len() < max_labels {
            idx.push(last);
        } else if idx.len() > 1 {
            *idx.last_mut().unwrap() = last;
        }
    }
    idx
}

/// The revenue line chart's geometry, in viewBox units.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    pub width: f64,
    pub height: f64,
    /// The plot area: left, top, right, bottom.
    pub plot: (f64, f64, f64, f64),
    /// One point per day: (x, y, day, value).
    pub points: Vec<(f64, f64, i64, i64)>,
    /// `M x y L x y …` through the points.
    pub line: String,
    /// The line closed down to the x axis, for a light fill.
    pub area: String,
    /// (y, value) of each horizontal grid line.
    pub y_ticks: Vec<(f64, i64)>,
    /// (x, label) under the axis.
    pub x_labels: Vec<(f64, String)>,
}

pub const CHART_WIDTH: f64 = 720.0;
pub const CHART_HEIGHT: f64 = 260.0;
const PAD_LEFT: f64 = 64.0;
const PAD_RIGHT: f64 = 16.0;
const PAD_TOP: f64 = 12.0;
const PAD_BOTTOM: f64 = 28.0;

/// Scales `(day, value)` into the chart: x spreads the days evenly across the plot (one day sits in
/// the middle), y runs from 0 at the bottom to the highest tick at the top. `min_step` is the
/// smallest y step (one major currency unit, say).
pub fn line_chart(series: &[(i64, i64)], min_step: i64, max_x_labels: usize) -> LineChart {
    let (left, top) = (PAD_LEFT, PAD_TOP);
    let (right, bottom) = (CHART_WIDTH - PAD_RIGHT, CHART_HEIGHT - PAD_BOTTOM);
    let max = series.iter().map(|(_, v)| *v).max().unwrap_or(0);
    let ticks = nice_ticks(max, 4, min_step);
    let top_value = *ticks.last().unwrap_or(&1) as f64;
    let n = series.len();
    let x_at = |i: usize| {
        if n <= 1 { (left + right) / 2.0 } else { left + (right - left) * i as f64 / (n - 1) as f64 }
    };
    let y_at = |v: i64| bottom - (bottom - top) * (v.max(0) as f64 / top_value);
    let points: Vec<(f64, f64, i64, i64)> =
        series.iter().enumerate().map(|(i, (day, v))| (round1(x_at(i)), round1(y_at(*v)), *day, *v)).collect();
    let line = points
        .iter()
        .enumerate()
        .map(|(i, (x, y, _, _))| format!("{}{x} {y}", if i == 0 { "M" } else { "L" }))
        .collect::<Vec<_>>()
        .join(" ");
    let area = match (points.first(), points.last()) {
        (Some(first), Some(last)) => format!("{line} L{} {} L{} {} Z", last.0, round1(bottom), first.0, round1(bottom)),
        _ => String::new(),
    };
    let y_ticks = ticks.iter().map(|t| (round1(y_at(*t)), *t)).collect();
    let x_labels = label_indices(n, max_x_labels).into_iter().map(|i| (points[i].0, short_day(series[i].0))).collect();
    LineChart {
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        plot: (left, top, right, bottom),
        points,
        line,
        area,
        y_ticks,
        x_labels,
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// An axis label without cents when they are zero: "$1,200", "$12.50".
pub fn axis_money(minor: i64, currency: Currency) -> String {
    let s = Money::new(minor, currency).to_string();
    let zeros = format!(".{}", "0".repeat(currency.exponent() as usize));
    match s.strip_suffix(&zeros) {
        Some(short) if currency.exponent() > 0 => short.to_string(),
        _ => s,
    }
}

/// A bar's width in percent of the longest (0 for an empty list).
pub fn bar_percent(value: i64, max: i64) -> f64 {
    if max <= 0 { 0.0 } else { round1(value.max(0) as f64 * 100.0 / max as f64) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEC_1_2026: i64 = 20_788;

    #[test]
    fn days_round_trip_and_strict_parsing() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(parse_day("2026-12-01"), Some(DEC_1_2026));
        assert_eq!(ymd_of_day(DEC_1_2026), "2026-12-01");
        assert_eq!(parse_day("2024-02-29").map(ymd_of_day).as_deref(), Some("2024-02-29"));
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "26-12-01",
            "2026/12/01",
            "",
            "2026-12-0x",
            "+026-12-01",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        assert_eq!(short_day(DEC_1_2026), "1 Dec");
    }

    #[test]
    fn period_defaults_to_the_last_30_days() {
        let p = period(None, None, DEC_1_2026).unwrap();
        assert_eq!((p.from_ymd().as_str(), p.to_ymd().as_str(), p.days()), ("2026-11-02", "2026-12-01", 30));
        let p = period(Some(""), Some(" "), DEC_1_2026).unwrap();
        assert_eq!(p.days(), 30);
        let p = period(None, Some("2026-01-31"), DEC_1_2026).unwrap();
        assert_eq!(p.from_ymd(), "2026-01-02");
        let p = period(Some("2026-11-01"), None, DEC_1_2026).unwrap();
        assert_eq!((p.from_ymd().as_str(), p.to_ymd().as_str()), ("2026-11-01", "2026-12-01"));
        assert_eq!(p.start(), DEC_1_2026 * DAY - 30 * DAY);
        assert_eq!(p.end(), (DEC_1_2026 + 1) * DAY);
    }

    #[test]
    fn bad_periods_say_which_field_and_why() {
        let err = period(Some("yesterday"), None, DEC_1_2026).unwrap_err();
        assert!(err.field("from").unwrap().contains("YYYY-MM-DD"), "{err:?}");
        let err = period(None, Some("2026-02-30"), DEC_1_2026).unwrap_err();
        assert!(err.field("to").is_some());
        let err = period(Some("2026-12-02"), Some("2026-12-01"), DEC_1_2026).unwrap_err();
        assert!(err.field("to").unwrap().contains("on or after"));
        let err = period(Some("2025-01-01"), Some("2026-01-02"), DEC_1_2026).unwrap_err();
        assert!(err.field("from").unwrap().contains("366"));
        // A leap year's 366 days fit; one day is fine.
        assert_eq!(period(Some("2024-01-01"), Some("2024-12-31"), DEC_1_2026).unwrap().days(), 366);
        assert_eq!(period(Some("2026-12-01"), Some("2026-12-01"), DEC_1_2026).unwrap().days(), 1);
    }

    #[test]
    fn missing_days_are_zero_and_outside_days_dropped() {
        let p = Period { from_day: 10, to_day: 13 };
        let sparse = [
            DaySales { day: 12, gross_minor: 500, refunds_minor: 100, orders: 2 },
            DaySales { day: 10, gross_minor: 300, refunds_minor: 0, orders: 1 },
            DaySales { day: 12, gross_minor: 50, refunds_minor: 0, orders: 1 },
            DaySales { day: 9, gross_minor: 999, refunds_minor: 0, orders: 9 },
            DaySales { day: 14, gross_minor: 999, refunds_minor: 0, orders: 9 },
        ];
        let days = fill_days(p, &sparse);
        assert_eq!(days.iter().map(|d| d.day).collect::<Vec<_>>(), vec![10, 11, 12, 13]);
        assert_eq!(days.iter().map(|d| d.revenue_minor()).collect::<Vec<_>>(), vec![300, 0, 450, 0]);
        assert_eq!(days.iter().map(|d| d.orders).collect::<Vec<_>>(), vec![1, 0, 3, 0]);
    }

    #[test]
    fn average_order_value_and_rates_never_divide_by_zero() {
        assert_eq!(average_order(0, 0), None);
        assert_eq!(average_order(1000, 3), Some(333));
        assert_eq!(average_order(1001, 2), Some(501));
        assert_eq!(average_order(10_000, 4), Some(2500));
        assert_eq!(rate(1, 0), None);
        assert_eq!(percent_label(rate(3, 7)), "42.9%");
        assert_eq!(percent_label(None), "—");
        let f = Funnel { views: 200, adds: 20, orders: 5 };
        assert_eq!(f.rates(), [Some(10.0), Some(25.0), Some(2.5)]);
        assert_eq!(Funnel::default().rates(), [None, None, None]);
    }

    #[test]
    fn assemble_totals_the_days() {
        let raw = RawFigures {
            days: vec![
                DaySales { day: 11, gross_minor: 5000, refunds_minor: 1000, orders: 2 },
                DaySales { day: 12, gross_minor: 2500, refunds_minor: 0, orders: 1 },
            ],
            by_status: vec![
                StatusCount { status: PartStatus::Shipped, count: 1 },
                StatusCount { status: PartStatus::Paid, count: 2 },
            ],
            top: vec![],
            views: 12,
            adds: 4,
        };
        let a = Analytics::assemble(7, "North".into(), Currency::USD, Period { from_day: 10, to_day: 12 }, raw);
        assert_eq!((a.gross_minor, a.refunds_minor, a.revenue_minor, a.orders), (7500, 1000, 6500, 3));
        assert_eq!(a.average_order_minor, Some(2167));
        assert_eq!(a.days.len(), 3);
        assert_eq!(a.by_status[0].status, PartStatus::Paid);
        assert_eq!(a.funnel, Funnel { views: 12, adds: 4, orders: 3 });
    }

    #[test]
    fn nice_ticks_cover_the_maximum() {
        assert_eq!(nice_ticks(0, 4, 100), vec![0, 100]);
        assert_eq!(nice_ticks(7, 4, 1), vec![0, 2, 4, 6, 8]);
        assert_eq!(nice_ticks(100, 4, 1), vec![0, 25, 50, 75, 100]);
        assert_eq!(nice_ticks(12_345, 4, 100), vec![0, 5000, 10_000, 15_000]);
        assert_eq!(nice_ticks(99, 4, 100), vec![0, 100]);
        for max in [1, 3, 17, 250, 999, 1001, 123_456_789] {
            let t = nice_ticks(max, 4, 1);
            assert!(*t.last().unwrap() >= max, "{max}: {t:?}");
            assert!(t.len() <= 6, "{max}: {t:?}");
            assert!(t.windows(2).all(|w| w[1] - w[0] == t[1] - t[0]));
        }
    }

    #[test]
    fn x_labels_are_thinned() {
        assert_eq!(label_indices(0, 8), Vec::<usize>::new());
        assert_eq!(label_indices(1, 8), vec![0]);
        assert_eq!(label_indices(5, 8), vec![0, 1, 2, 3, 4]);
        let idx = label_indices(30, 8);
        assert!(idx.len() <= 8 && idx[0] == 0 && *idx.last().unwrap() == 29, "{idx:?}");
        let idx = label_indices(366, 8);
        assert!(idx.len() <= 8 && *idx.last().unwrap() == 365, "{idx:?}");
        assert!(idx.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_chart_maps_values_into_the_plot() {
        let series = [(100, 0), (101, 6000), (102, 3000)];
        let c = line_chart(&series, 100, 8);
        let (left, top, right, bottom) = c.plot;
        assert_eq!(c.points.len(), 3);
        assert_eq!((c.points[0].0, c.points[0].1), (left, bottom));
        assert_eq!(c.points[2].0, right);
        // Steps of 2000 up to 6000, the top of the plot.
        assert_eq!(c.y_ticks.iter().map(|t| t.1).collect::<Vec<_>>(), vec![0, 2000, 4000, 6000]);
        assert_eq!(*c.y_ticks.last().unwrap(), (top, 6000));
        assert_eq!(c.points[1].1, top);
        assert_eq!(c.points[2].1, (top + bottom) / 2.0);
        assert!(c.line.starts_with(&format!("M{left} {bottom} L")), "{}", c.line);
        assert!(c.area.ends_with('Z'));
        assert_eq!(c.x_labels.len(), 3);
        // One day sits in the middle; no data still draws an axis.
        let one = line_chart(&[(5, 10)], 100, 8);
        assert_eq!(one.points[0].0, (left + right) / 2.0);
        let empty = line_chart(&[], 100, 8);
        assert!(empty.line.is_empty() && empty.y_ticks.len() == 2);
    }

    #[test]
    fn axis_money_drops_zero_cents() {
        assert_eq!(axis_money(120_000, Currency::USD), "$1,200");
        assert_eq!(axis_money(1250, Currency::USD), "$12.50");
        assert_eq!(bar_percent(5, 10), 50.0);
        assert_eq!(bar_percent(5, 0), 0.0);
    }
}
