//! The processing control slip as a printed form (phiếu kiểm soát quá trình giải quyết hồ sơ,
//! form 06): the case's handovers, each agency by its name, the verdict of each step, and the
//! steps that overran — filled from what workflow recorded and what the catalogue and intake
//! say of the dossier — and answered as a printable page or a PDF signed by the one-stop.

use crate::domain::case::Case;
use crate::state::AppState;
use crate::store::handovers::HandoverRow;
use axum::response::{Html, IntoResponse, Response};
use motcua_forms::{ControlSlipForm06, Issuer, SlipRow};
use motcua_problem::{ApiResult, Problem};
use motcua_proto::intake::v1 as intake;
use motcua_server::printed::{IssuingAgency, Rendition};
use std::collections::HashMap;

/// Form 06 of `case` as `rendition` asks (HTML, or a PDF signed by the receiving one-stop).
pub(crate) async fn print(
    s: &AppState,
    case: &Case,
    rows: &[HandoverRow],
    late: &[(String, String)],
    rendition: Rendition,
) -> ApiResult<Response> {
    let names = names(s, case, rows, late).await?;
    let form = form06(case, rows, late, &names);
    if rendition == Rendition::Html {
        return Ok(Html(form.html()).into_response());
    }
    s.printer.pdf(
        &form.document(),
        &IssuingAgency {
            code: &form.issuer.agency_code,
            name: &form.issuer.agency_name,
            place: form.issuer.place.as_deref(),
        },
        form.title(),
        s.now(),
        &format!("{}-06.pdf", case.dossier_code),
    )
}

/// The names the slip prints: agencies and the procedure from the catalogue, the applicant
/// from intake.
async fn names(
    s: &AppState,
    case: &Case,
    rows: &[HandoverRow],
    late: &[(String, String)],
) -> Result<SlipNames, Problem> {
    let mut agencies = HashMap::new();
    for code in agencies_named(case, rows, late) {
        if let Some(a) = s.catalogue.agency(code).await? {
            agencies.insert(code.to_string(), a.name);
        }
    }
    let received_on = motcua_calendar::local(case.received_at).date();
    let procedure = s
        .catalogue
        .procedure(&case.procedure_code, received_on)
        .await?
        .map_or_else(|| case.procedure_code.clone(), |p| p.name);
    let asked = intake::GetDossierRequest {
        code: case.dossier_code.clone(),
    };
    let dossier = s.intake.clone().get_dossier_contents(asked).await;
    let dossier = dossier.map_err(|e| Problem::from_status(&e))?.into_inner();
    Ok(SlipNames {
        agencies,
        procedure,
        applicant: dossier.applicant.map(|a| a.full_name).unwrap_or_default(),
    })
}

/// What the slip names besides workflow's own rows: agencies by code, the procedure, the
/// applicant.
#[derive(Debug, Clone, Default)]
pub struct SlipNames {
    /// Agency names by code (a code not here is printed as the code).
    pub agencies: HashMap<String, String>,
    /// The procedure's name.
    pub procedure: String,
    /// The applicant's full name.
    pub applicant: String,
}

impl SlipNames {
    fn agency(&self, code: &str) -> String {
        self.agencies
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }
}

/// Every agency code the slip names: the receiving one-stop, both ends of each handover and
/// the agencies of the late steps.
pub fn agencies_named<'a>(
    case: &'a Case,
    rows: &'a [HandoverRow],
    late: &'a [(String, String)],
) -> Vec<&'a str> {
    let mut codes: Vec<&str> = std::iter::once(case.receiving_agency.as_str())
        .chain(
            rows.iter()
                .flat_map(|r| [r.from_agency.as_str(), r.to_agency.as_str()]),
        )
        .chain(late.iter().map(|(_, agency)| agency.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Form 06 of `case`, issued by its receiving one-stop; `late` lists (step, agency code).
pub fn form06(
    case: &Case,
    rows: &[HandoverRow],
    late: &[(String, String)],
    names: &SlipNames,
) -> ControlSlipForm06 {
    ControlSlipForm06 {
        issuer: Issuer {
            agency_code: case.receiving_agency.clone(),
            agency_name: names.agency(&case.receiving_agency),
            parent_name: None,
            place: None,
        },
        dossier_code: case.dossier_code.clone(),
        procedure_name: names.procedure.clone(),
        applicant_name: names.applicant.clone(),
        received_at: case.received_at,
        due_at: case.due_at,
        rows: rows
            .iter()
            .map(|r| SlipRow {
                at: r.at,
                from_agency: names.agency(&r.from_agency),
                from_person: r.from_person.clone(),
                to_agency: names.agency(&r.to_agency),
                to_person: r.to_person.clone(),
                step_name: r.step_name.clone(),
                step_deadline: r.step_deadline,
                result: r.result.clone(),
            })
            .collect(),
        late_steps: late
            .iter()
            .map(|(step, agency)| (step.clone(), names.agency(agency)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn row(from: &str, to: &str, result: Option<&str>) -> HandoverRow {
        HandoverRow {
            at: datetime!(2026-11-27 09:00 +07:00),
            from_agency: from.into(),
            from_person: None,
            to_agency: to.into(),
            to_person: Some("specialist-1".into()),
            step_name: "Thẩm định".into(),
            step_deadline: Some(datetime!(2026-11-28 09:00 +07:00)),
            result: result.map(str::to_string),
            reason: "forward".into(),
        }
    }

    #[test]
    fn every_agency_is_named_and_an_unknown_one_keeps_its_code() {
        let case = crate::domain::fixtures::case(datetime!(2026-11-28 17:00 +07:00));
        let rows = [
            row("000.25.80.H80", "000.30.80.H80", Some("on_time")),
            row("000.30.80.H80", "000.99.80.H80", Some("late")),
        ];
        let late = [("Thẩm định".to_string(), "000.30.80.H80".to_string())];
        assert_eq!(
            agencies_named(&case, &rows, &late),
            ["000.25.80.H80", "000.30.80.H80", "000.99.80.H80"]
        );
        let names = SlipNames {
            agencies: HashMap::from([
                (
                    "000.25.80.H80".into(),
                    "Trung tâm Phục vụ hành chính công".into(),
                ),
                ("000.30.80.H80".into(), "Công chức tư pháp - hộ tịch".into()),
            ]),
            procedure: "Đăng ký khai sinh".into(),
            applicant: "Nguyễn Văn An".into(),
        };
        let form = form06(&case, &rows, &late, &names);
        assert_eq!(form.issuer.agency_name, "Trung tâm Phục vụ hành chính công");
        assert_eq!(form.rows[0].to_agency, "Công chức tư pháp - hộ tịch");
        assert_eq!(form.rows[1].to_agency, "000.99.80.H80");
        assert_eq!(form.rows[1].result.as_deref(), Some("late"));
        assert_eq!(form.late_steps[0].1, "Công chức tư pháp - hộ tịch");
        assert_eq!(form.applicant_name, "Nguyễn Văn An");
    }
}
