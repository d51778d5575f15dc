//! The five reference sector systems (hệ thống chuyên ngành): which agency and sector each works
//! for in the demo catalogue (`data/catalogue-demo.json`), and what each hands back when it
//! finishes a step — the note kept with the step and the references of its result documents.

use serde_json::{Value, json};

/// A sector system's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The civil-status registry (hộ tịch): registers the birth, issues the birth extract.
    CivilStatus,
    /// The residence registry (quản lý cư trú, police): registers the permanent residence.
    Residence,
    /// The social-insurance office (bảo hiểm xã hội): issues the health-insurance card.
    SocialInsurance,
    /// The land registry (văn phòng đăng ký đất đai): registers land, issues the certificate.
    Land,
    /// The tax authority (cơ quan thuế): notifies the financial obligation.
    Tax,
}

impl Role {
    /// Every role, in the order of `--role`'s help.
    pub const ALL: [Role; 5] = [
        Role::CivilStatus,
        Role::Residence,
        Role::SocialInsurance,
        Role::Land,
        Role::Tax,
    ];

    /// The role named `name` (`civil_status`, `residence`, `social_insurance`, `land`, `tax`).
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Its name on the command line and in the output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CivilStatus => "civil_status",
            Role::Residence => "residence",
            Role::SocialInsurance => "social_insurance",
            Role::Land => "land",
            Role::Tax => "tax",
        }
    }

    /// The agency it works for (its token's `agency` claim).
    pub fn agency(self) -> &'static str {
        match self {
            Role::CivilStatus => "000.30.80.H80",
            Role::Residence => "000.31.80.H80",
            Role::SocialInsurance => "000.32.80.H80",
            Role::Land => "000.33.80.H80",
            Role::Tax => "000.34.80.H80",
        }
    }

    /// The sector it works in (its token's `sector` claim, and the steps' sector).
    pub fn sector(self) -> &'static str {
        match self {
            Role::CivilStatus => "justice",
            Role::Residence => "police",
            Role::SocialInsurance => "social_insurance",
            Role::Land => "land",
            Role::Tax => "tax",
        }
    }

    /// The note it keeps with a finished step.
    pub fn note(self) -> &'static str {
        match self {
            Role::CivilStatus => "Đã đăng ký khai sinh, ghi vào Sổ đăng ký khai sinh",
            Role::Residence => "Đã đăng ký thường trú, cập nhật Cơ sở dữ liệu về cư trú",
            Role::SocialInsurance => "Đã cấp thẻ bảo hiểm y tế",
            Role::Land => "Đã cập nhật cơ sở dữ liệu đất đai",
            Role::Tax => "Đã ban hành thông báo nghĩa vụ tài chính",
        }
    }

    /// The references of the result documents of the step `task_id` (a JSON array), numbered
    /// from the step id so that doing the step again gives the same numbers.
    pub fn documents(self, task_id: &str) -> Value {
        let hex: String = task_id
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(8)
            .collect();
        let n = u64::from_str_radix(&hex, 16).unwrap_or(0) % 1_000_000;
        match self {
            Role::CivilStatus => {
                json!([{"kind": "trich_luc_khai_sinh", "number": format!("{n}/2026"),
                "book": "Sổ đăng ký khai sinh"}])
            }
            Role::Residence => {
                json!([{"kind": "xac_nhan_thuong_tru", "number": format!("CT01-{n:06}")}])
            }
            Role::SocialInsurance => {
                json!([{"kind": "the_bao_hiem_y_te", "number": format!("TE1800{n:010}")}])
            }
            Role::Land => json!([{"kind": "giay_chung_nhan_qsdd", "number": format!("DA {n:06}")}]),
            Role::Tax => {
                json!([{"kind": "thong_bao_nghia_vu_tai_chinh", "number": format!("{n}/TB-CCT"),
                "amount_vnd": 1_500_000}])
            }
        }
    }
}
