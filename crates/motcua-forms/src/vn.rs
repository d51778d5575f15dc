//! How the forms write instants, counts and codes in Vietnamese (cách ghi ngày giờ): one place
//! for the rules so that every form, in PDF and in HTML, says them the same way. Instants are
//! always shown in Vietnam time (UTC+07:00) whatever offset they carry, so an instant stored in
//! UTC never prints the previous day.

use time::{OffsetDateTime, UtcOffset};

/// Vietnam's offset (giờ Việt Nam, UTC+07:00, no daylight saving).
pub const VIETNAM: UtcOffset = time::macros::offset!(+7);

/// `t` in Vietnam time.
pub fn local(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(VIETNAM)
}

/// The date (ngày) as `dd/mm/yyyy`: `27/11/2026`.
pub fn date(t: OffsetDateTime) -> String {
    let l = local(t);
    format!("{:02}/{:02}/{:04}", l.day(), u8::from(l.month()), l.year())
}

/// The time of day (giờ, phút) as `HH giờ MM phút`: `08 giờ 05 phút`.
pub fn clock(t: OffsetDateTime) -> String {
    let l = local(t);
    format!("{:02} giờ {:02} phút", l.hour(), l.minute())
}

/// Time and date as the forms' fields write them: `14 giờ 05 phút, ngày 27/11/2026`.
pub fn clock_and_date(t: OffsetDateTime) -> String {
    format!("{}, ngày {}", clock(t), date(t))
}

/// The date in words as the place-date line writes it (Decree 30/2020: a day below 10 and the
/// months 1 and 2 get a leading zero): `ngày 04 tháng 12 năm 2026`, `ngày 09 tháng 02 năm
/// 2027`, `ngày 15 tháng 3 năm 2026`.
pub fn long_date(t: OffsetDateTime) -> String {
    let l = local(t);
    let month = u8::from(l.month());
    let month = if month <= 2 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", l.day(), l.year())
}

/// The place-date line (địa danh, ngày tháng năm): `TP. Hồ Chí Minh, ngày 04 tháng 12 năm 2026`;
/// without a place, `Ngày 04 tháng 12 năm 2026`; without a date, dotted blanks to fill by hand.
pub fn place_date(place: Option<&str>, t: Option<OffsetDateTime>) -> String {
    let when = t.map_or_else(
        || "ngày ..... tháng ..... năm ..........".to_string(),
        long_date,
    );
    match place.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => format!("{p}, {when}"),
        None => capitalised(&when),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// A count with at least two digits, as forms write quantities: `01`, `12`.
pub fn count(n: usize) -> String {
    format!("{n:02}")
}

/// How the dossier was submitted (hình thức nộp hồ sơ): `counter`, `postal` or `online`; an
/// unknown code is shown as given.
pub fn channel(code: &str) -> &str {
    match code {
        "counter" => "Trực tiếp tại Bộ phận Một cửa",
        "postal" => "Qua dịch vụ bưu chính công ích",
        "online" => "Trực tuyến",
        other => other,
    }
}

/// Where the result is handed over (nơi nhận kết quả) for a dossier submitted through
/// `channel`: back through the same channel, at `agency` for the counter.
pub fn result_delivery(channel: &str, agency: &str) -> String {
    match channel {
        "counter" => format!("Bộ phận Một cửa - {agency}"),
        "postal" => "Qua dịch vụ bưu chính công ích".to_string(),
        "online" => "Trực tuyến, trên Cổng Dịch vụ công".to_string(),
        other => other.to_string(),
    }
}

/// The form of a component as received (hình thức giấy tờ): `electronic` is `Điện tử`,
/// `scanned` is `Bản chụp`; `paper` is `Bản chính`, `Bản sao` or both by what was handed in
/// (`Bản giấy` when the counts were not recorded); an unknown code is shown as given.
pub fn component_form(form: &str, originals: Option<i32>, copies: Option<i32>) -> String {
    let originals = originals.unwrap_or(0) > 0;
    let copies = copies.unwrap_or(0) > 0;
    match form {
        "electronic" => "Điện tử".to_string(),
        "scanned" => "Bản chụp".to_string(),
        "paper" => match (originals, copies) {
            (true, true) => "Bản chính, Bản sao".to_string(),
            (true, false) => "Bản chính".to_string(),
            (false, true) => "Bản sao".to_string(),
            (false, false) => "Bản giấy".to_string(),
        },
        other => other.to_string(),
    }
}

/// How many of a component were received (số lượng): paper by originals and copies (`01 bản
/// chính, 02 bản sao`), files otherwise (`01 tệp`); empty when nothing was counted.
pub fn component_quantity(
    form: &str,
    originals: Option<i32>,
    copies: Option<i32>,
    files: usize,
) -> String {
    let positive = |n: Option<i32>| n.and_then(|n| usize::try_from(n).ok()).filter(|&n| n > 0);
    let mut parts = Vec::new();
    if form == "paper" {
        if let Some(n) = positive(originals) {
            parts.push(format!("{} bản chính", count(n)));
        }
        if let Some(n) = positive(copies) {
            parts.push(format!("{} bản sao", count(n)));
        }
    }
    if files > 0 && parts.is_empty() {
        parts.push(format!("{} tệp", count(files)));
    }
    parts.join(", ")
}

/// The verdict of a step at a handover (kết quả giải quyết): `early` is `Trước hạn`,
/// `on_time` `Đúng hạn`, `late` `Quá hạn`; an unknown code is shown as given.
pub fn handover_result(code: &str) -> &str {
    match code {
        "early" => "Trước hạn",
        "on_time" => "Đúng hạn",
        "late" => "Quá hạn",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_zero_padded_hours_and_minutes() {
        assert_eq!(clock(datetime!(2026-11-27 08:05 +07:00)), "08 giờ 05 phút");
        assert_eq!(clock(datetime!(2026-11-27 17:00 +07:00)), "17 giờ 00 phút");
    }

    #[test]
    fn dates_are_day_month_year_with_slashes() {
        assert_eq!(date(datetime!(2026-11-27 14:05 +07:00)), "27/11/2026");
        assert_eq!(date(datetime!(2026-03-04 14:05 +07:00)), "04/03/2026");
        assert_eq!(
            clock_and_date(datetime!(2026-11-27 14:05 +07:00)),
            "14 giờ 05 phút, ngày 27/11/2026"
        );
    }

    #[test]
    fn the_long_date_pads_days_and_the_first_two_months_only() {
        assert_eq!(
            long_date(datetime!(2026-12-04 09:00 +07:00)),
            "ngày 04 tháng 12 năm 2026"
        );
        assert_eq!(
            long_date(datetime!(2027-02-09 09:00 +07:00)),
            "ngày 09 tháng 02 năm 2027"
        );
        assert_eq!(
            long_date(datetime!(2026-03-15 09:00 +07:00)),
            "ngày 15 tháng 3 năm 2026"
        );
    }

    #[test]
    fn an_instant_in_utc_is_shown_in_vietnam_time() {
        let t = datetime!(2026-11-27 23:30 UTC);
        assert_eq!(date(t), "28/11/2026");
        assert_eq!(clock(t), "06 giờ 30 phút");
        assert_eq!(long_date(t), "ngày 28 tháng 11 năm 2026");
        let far = datetime!(2026-11-28 01:30 +09:00);
        assert_eq!(clock_and_date(far), "23 giờ 30 phút, ngày 27/11/2026");
    }

    #[test]
    fn the_place_date_line_names_the_place_or_starts_capitalised() {
        let t = datetime!(2026-12-04 09:00 +07:00);
        assert_eq!(
            place_date(Some("TP. Hồ Chí Minh"), Some(t)),
            "TP. Hồ Chí Minh, ngày 04 tháng 12 năm 2026"
        );
        assert_eq!(place_date(None, Some(t)), "Ngày 04 tháng 12 năm 2026");
        assert_eq!(place_date(Some("  "), Some(t)), "Ngày 04 tháng 12 năm 2026");
        assert_eq!(
            place_date(Some("Huế"), None),
            "Huế, ngày ..... tháng ..... năm .........."
        );
    }

    #[test]
    fn channels_are_named_in_vietnamese() {
        assert_eq!(channel("counter"), "Trực tiếp tại Bộ phận Một cửa");
        assert_eq!(channel("postal"), "Qua dịch vụ bưu chính công ích");
        assert_eq!(channel("online"), "Trực tuyến");
        assert_eq!(channel("fax"), "fax");
        assert_eq!(
            result_delivery("counter", "UBND phường Bến Nghé"),
            "Bộ phận Một cửa - UBND phường Bến Nghé"
        );
        assert_eq!(
            result_delivery("postal", "x"),
            "Qua dịch vụ bưu chính công ích"
        );
    }

    #[test]
    fn component_forms_and_quantities_are_named_in_vietnamese() {
        assert_eq!(component_form("electronic", None, None), "Điện tử");
        assert_eq!(component_form("scanned", None, None), "Bản chụp");
        assert_eq!(component_form("paper", Some(1), None), "Bản chính");
        assert_eq!(component_form("paper", Some(0), Some(2)), "Bản sao");
        assert_eq!(
            component_form("paper", Some(1), Some(2)),
            "Bản chính, Bản sao"
        );
        assert_eq!(component_form("paper", None, None), "Bản giấy");
        assert_eq!(
            component_quantity("paper", Some(1), Some(2), 0),
            "01 bản chính, 02 bản sao"
        );
        assert_eq!(component_quantity("electronic", None, None, 3), "03 tệp");
        assert_eq!(component_quantity("paper", None, None, 0), "");
        assert_eq!(count(1), "01");
    }

    #[test]
    fn handover_results_are_named_in_vietnamese() {
        assert_eq!(handover_result("early"), "Trước hạn");
        assert_eq!(handover_result("on_time"), "Đúng hạn");
        assert_eq!(handover_result("late"), "Quá hạn");
        assert_eq!(handover_result("paused"), "paused");
    }
}
