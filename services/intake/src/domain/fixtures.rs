//! Test fixtures of intake's decisions: callers, the demo ward's birth registration, a stored
//! dossier, the 2025–2026 calendar.

use super::dossier::{Applicant, ApplicantType, Channel, Dossier};
use super::status::DossierStatus;
use motcua_auth::{Caller, Role};
use motcua_calendar::{
    Deadline, SupplementClockPolicy, TimeLimit, WorkingCalendar, WorkingDuration,
};
use motcua_catalogue_client::{Agency, MethodLimit, Procedure, ProcedureCase};
use motcua_catalogue_model::{AgencyKind, Level, Method, PublishedComponent};
use time::OffsetDateTime;
use time::macros::{date, datetime, time};

/// The demo ward's one-stop unit.
pub const WARD: &str = "000.25.80.H80";
/// The ward's justice office.
pub const JUSTICE: &str = "000.30.80.H80";

/// A caller with these roles acting for `agency`.
pub fn caller(sub: &str, roles: &[Role], agency: Option<&str>) -> Caller {
    Caller {
        sub: sub.into(),
        roles: roles.to_vec(),
        agency: agency.map(str::to_string),
        sector: None,
        id_number: None,
    }
}

/// An officer of the ward's one-stop.
pub fn officer() -> Caller {
    caller("officer-1", &[Role::OneStopOfficer], Some(WARD))
}

/// The calendar with the built-in 2025–2026 years.
pub fn calendar() -> WorkingCalendar {
    WorkingCalendar::vietnam_default()
}

/// An agency of this kind.
pub fn agency(code: &str, kind: AgencyKind) -> Agency {
    Agency {
        code: code.into(),
        name: format!("Cơ quan {code}"),
        kind,
        level: Level::Commune,
        sector: None,
        code_04_2025: None,
        resolved_from: None,
        succeeded_on: None,
    }
}

/// A published component.
pub fn component(code: &str, required: bool, national: bool) -> PublishedComponent {
    PublishedComponent {
        code: code.into(),
        name: format!("Giấy tờ {code}"),
        required,
        originals: 1,
        copies: 0,
        from_national_database: national,
    }
}

/// Birth registration (1.001193): same day with a 15:00 cut-off at the counter, one working
/// day online, not by post; a case `K` with its own components and a 4-hour limit.
pub fn birth_registration() -> Procedure {
    let same_day = TimeLimit::same_day().with_cutoff(time!(15:00));
    let one_day = TimeLimit::new(WorkingDuration::hours(8));
    Procedure {
        code: "1.001193".into(),
        name: "Đăng ký khai sinh".into(),
        field: "Hộ tịch".into(),
        level: Level::Commune,
        version: 1,
        effective_from: date!(2025 - 07 - 01),
        time_limit: same_day,
        components: vec![
            component("TK", true, false),
            component("GCS", true, false),
            component("HTSS", false, false),
            component("CCCD", false, true),
        ],
        steps: Vec::new(),
        clock_policy: SupplementClockPolicy::Restart,
        methods: vec![
            MethodLimit {
                method: Method::Counter,
                limit: same_day,
            },
            MethodLimit {
                method: Method::Online,
                limit: one_day,
            },
        ],
        cases: vec![ProcedureCase {
            code: "K".into(),
            name: "Trường hợp K".into(),
            components: vec![component("TKK", true, false)],
            methods: vec![MethodLimit {
                method: Method::Counter,
                limit: TimeLimit::new(WorkingDuration::hours(4)),
            }],
        }],
    }
}

/// A counter dossier of the ward received Friday 27/11/2026 09:00, due 17:00 the same day.
pub fn dossier(status: DossierStatus) -> Dossier {
    let received = datetime!(2026-11-27 09:00 +07:00);
    Dossier {
        code: "000.25.80.H80-261127-0001".into(),
        procedure_code: "1.001193".into(),
        procedure_version: 1,
        receiving_agency: WARD.into(),
        channel: Channel::Counter,
        status,
        applicant: Applicant {
            kind: ApplicantType::Citizen,
            full_name: "Nguyễn Văn An".into(),
            id_number: "080203001234".into(),
            phone: None,
            email: None,
            address: None,
            notify_by: None,
            representative: None,
        },
        applicant_id_last4: "1234".into(),
        received_at: received,
        due: Deadline {
            at: datetime!(2026-11-27 17:00 +07:00),
            provisional: false,
        },
        submitted_by: "officer-1".into(),
        time_limit: TimeLimit::same_day().with_cutoff(time!(15:00)),
        clock_policy: SupplementClockPolicy::Restart,
        clock_paused_at: None,
        resume_status: None,
        case_completed_at: None,
        case_code: None,
        receipt: serde_json::json!({}),
    }
}

/// The dossier waiting for the supplement requested at `at`, forwarded before.
pub fn waiting(at: OffsetDateTime, policy: SupplementClockPolicy) -> Dossier {
    let mut d = dossier(DossierStatus::SupplementRequested);
    d.clock_paused_at = Some(at);
    d.resume_status = Some(DossierStatus::Processing);
    d.clock_policy = policy;
    d
}

/// Components over each cap of [`super::components::check_handed_in`]: more files than allowed,
/// more bytes than allowed, a count over the maximum; each paired with the code it must raise.
pub fn over_the_caps(
    code: &str,
) -> Vec<(Vec<super::components::SubmittedComponent>, &'static str)> {
    use super::components::{MAX_COUNT, SubmittedComponent, SubmittedFile};
    use super::dossier::Form;
    use super::files::{MAX_FILES, MAX_TOTAL_BYTES};
    let file = |content_base64: String| SubmittedFile {
        name: "a.pdf".into(),
        media_type: "application/pdf".into(),
        size: 3,
        sha256: "00".into(),
        content_base64,
    };
    let component = |files: Vec<SubmittedFile>, originals: Option<u32>| SubmittedComponent {
        code: code.into(),
        form: if files.is_empty() {
            Form::Paper
        } else {
            Form::Electronic
        },
        files,
        originals,
        copies: None,
    };
    vec![
        (
            vec![component(
                (0..=MAX_FILES).map(|_| file("QUJD".into())).collect(),
                None,
            )],
            "too_many_files",
        ),
        (
            vec![component(
                vec![file("A".repeat(MAX_TOTAL_BYTES / 3 * 4 + 8))],
                None,
            )],
            "files_too_large",
        ),
        (
            vec![component(Vec::new(), Some(MAX_COUNT + 1))],
            "count_out_of_range",
        ),
    ]
}
