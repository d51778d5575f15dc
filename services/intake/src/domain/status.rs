//! Dossier statuses with the national status codes exchanged with the national portal
//! (`shared/domain.md` §4): 1 newly registered … 10 result returned.

/// A dossier's status (trạng thái hồ sơ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierStatus {
    /// 1 — mới đăng ký (registered online, not yet checked).
    Registered,
    /// 2 — đã tiếp nhận.
    Received,
    /// 3 — không được tiếp nhận (refused).
    Refused,
    /// 4 — đang xử lý.
    Processing,
    /// 5 — yêu cầu bổ sung.
    SupplementRequested,
    /// 6 — yêu cầu thực hiện nghĩa vụ tài chính.
    FinancialObligation,
    /// 7 — công dân yêu cầu rút hồ sơ.
    Withdrawn,
    /// 8 — dừng xử lý.
    Stopped,
    /// 9 — đã xử lý xong (result at the one-stop).
    Processed,
    /// 10 — đã trả kết quả.
    ResultReturned,
}

impl DossierStatus {
    /// Every status, in national-code order.
    pub const ALL: [DossierStatus; 10] = [
        Self::Registered,
        Self::Received,
        Self::Refused,
        Self::Processing,
        Self::SupplementRequested,
        Self::FinancialObligation,
        Self::Withdrawn,
        Self::Stopped,
        Self::Processed,
        Self::ResultReturned,
    ];

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// True when nothing more can happen to the dossier.
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            Self::Refused | Self::Withdrawn | Self::Stopped | Self::ResultReturned
        )
    }

    /// The national status code.
    pub const fn code(self) -> i16 {
        match self {
            Self::Registered => 1,
            Self::Received => 2,
            Self::Refused => 3,
            Self::Processing => 4,
            Self::SupplementRequested => 5,
            Self::FinancialObligation => 6,
            Self::Withdrawn => 7,
            Self::Stopped => 8,
            Self::Processed => 9,
            Self::ResultReturned => 10,
        }
    }

    /// The Vietnamese label the public lookup shows.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Registered => "Mới đăng ký",
            Self::Received => "Đã tiếp nhận",
            Self::Refused => "Không được tiếp nhận",
            Self::Processing => "Đang xử lý",
            Self::SupplementRequested => "Yêu cầu bổ sung hồ sơ",
            Self::FinancialObligation => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Self::Withdrawn => "Rút hồ sơ theo yêu cầu",
            Self::Stopped => "Dừng xử lý",
            Self::Processed => "Đã xử lý xong, chờ trả kết quả",
            Self::ResultReturned => "Đã trả kết quả",
        }
    }

    /// The snake_case name used in the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Received => "received",
            Self::Refused => "refused",
            Self::Processing => "processing",
            Self::SupplementRequested => "supplement_requested",
            Self::FinancialObligation => "financial_obligation",
            Self::Withdrawn => "withdrawn",
            Self::Stopped => "stopped",
            Self::Processed => "processed",
            Self::ResultReturned => "result_returned",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DossierStatus::*;

    #[test]
    fn national_codes_are_one_to_ten_in_order() {
        let all = [
            Registered,
            Received,
            Refused,
            Processing,
            SupplementRequested,
            FinancialObligation,
            Withdrawn,
            Stopped,
            Processed,
            ResultReturned,
        ];
        for (i, s) in all.iter().enumerate() {
            assert_eq!(s.code(), i as i16 + 1, "{}", s.as_str());
        }
    }
}
