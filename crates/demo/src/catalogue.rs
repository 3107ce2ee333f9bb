//! The demo's procedure catalogue: 46 procedures of a defence ministry over 18 fields (lĩnh
//! vực), owned by 29 one-stop desks (level-I units). Time limits in working days, fees,
//! checklists (original / copy / certified copy), results, legal basis and online level are
//! plausible for each procedure; the workflow's step budgets add up to the time limit
//! (`Workflow::validate_budgets`). Codes are in the national format (`1.0xxxxx`) but invented.

use motcua_domain::Result;
use motcua_domain::procedure::{
    Channel, ChannelTerms, CopyKind, Field, LimitUnit, NewProcedure, OnlineLevel, Procedure,
    RequiredDocument, Step, StepUnit, TimeLimit, Workflow,
};
use motcua_domain::user::Role;

use crate::org::level_i_code;

/// A procedure in the compact form of this table.
struct Row {
    code: &'static str,
    name: &'static str,
    field: (&'static str, &'static str),
    /// Index of the owning level-I unit in `org::LEVEL_I_UNITS`.
    desk: usize,
    days: u32,
    fee_vnd: i64,
    online: OnlineLevel,
    /// The procedure-specific document (certified copy) besides the application and the ID.
    document: &'static str,
    result: &'static str,
    basis: &'static str,
    /// Relative share of the dossiers.
    weight: u32,
}

const CS: (&str, &str) = ("CS", "Chính sách");
const NVQS: (&str, &str) = ("NVQS", "Nghĩa vụ quân sự");
const QNCN: (&str, &str) = (
    "QNCN",
    "Quân nhân chuyên nghiệp, công nhân và viên chức quốc phòng",
);
const CB: (&str, &str) = ("CB", "Cán bộ, sĩ quan");
const TS: (&str, &str) = ("TS", "Tuyển sinh quân sự");
const GD: (&str, &str) = (
    "GDQP",
    "Giáo dục, đào tạo và giáo dục quốc phòng và an ninh",
);
const DQTV: (&str, &str) = ("DQTV", "Dân quân tự vệ");
const YT: (&str, &str) = ("YT", "Y tế");
const BH: (&str, &str) = ("BHXH", "Bảo hiểm xã hội, bảo hiểm y tế");
const DD: (&str, &str) = ("DQP", "Đất quốc phòng, doanh trại");
const VT: (&str, &str) = ("QLVT", "Quản lý vùng trời");
const VLN: (&str, &str) = ("VLN", "Vũ khí, vật liệu nổ và công cụ hỗ trợ");
const CN: (&str, &str) = ("CNQP", "Công nghiệp quốc phòng");
const DN: (&str, &str) = ("DNQP", "Đối ngoại quốc phòng");
const CH: (&str, &str) = ("CHCN", "Cứu hộ, cứu nạn và khắc phục hậu quả bom mìn");
const BD: (&str, &str) = ("DDBD", "Đo đạc và bản đồ");
const TD: (&str, &str) = ("TDKT", "Thi đua, khen thưởng");
const LT: (&str, &str) = ("LT", "Văn thư, lưu trữ");

use OnlineLevel::{FullyOnline as FULL, None as NONE, Partial as PART};

#[rustfmt::skip]
const ROWS: [Row; 46] = [
    Row { code: "1.001001", name: "Giải quyết chế độ trợ cấp một lần đối với quân nhân tham gia kháng chiến chống Mỹ cứu nước có dưới 20 năm công tác trong quân đội đã phục viên, xuất ngũ", field: CS, desk: 1, days: 20, fee_vnd: 0, online: PART, document: "Giấy tờ chứng minh thời gian phục vụ trong quân đội", result: "Quyết định hưởng trợ cấp một lần", basis: "Quyết định 142/2008/QĐ-TTg", weight: 60 },
    Row { code: "1.001002", name: "Giải quyết chế độ trợ cấp hằng tháng đối với quân nhân có từ đủ 15 năm đến dưới 20 năm công tác trong quân đội đã phục viên, xuất ngũ", field: CS, desk: 1, days: 25, fee_vnd: 0, online: PART, document: "Quyết định phục viên, xuất ngũ", result: "Quyết định hưởng trợ cấp hằng tháng", basis: "Quyết định 142/2008/QĐ-TTg", weight: 35 },
    Row { code: "1.001003", name: "Xác nhận thông tin về liệt sĩ, thân nhân liệt sĩ", field: CS, desk: 16, days: 15, fee_vnd: 0, online: PART, document: "Giấy báo tử hoặc Bằng Tổ quốc ghi công", result: "Giấy xác nhận thông tin liệt sĩ", basis: "Nghị định 131/2021/NĐ-CP", weight: 25 },
    Row { code: "1.001004", name: "Giải quyết chế độ hưu trí đối với quân nhân", field: BH, desk: 17, days: 20, fee_vnd: 0, online: PART, document: "Sổ bảo hiểm xã hội", result: "Quyết định hưởng chế độ hưu trí", basis: "Luật Bảo hiểm xã hội 2014", weight: 40 },
    Row { code: "1.001005", name: "Giải quyết trợ cấp một lần khi hạ sĩ quan, binh sĩ xuất ngũ", field: CS, desk: 24, days: 10, fee_vnd: 0, online: PART, document: "Quyết định xuất ngũ", result: "Quyết định trợ cấp xuất ngũ một lần", basis: "Nghị định 27/2016/NĐ-CP", weight: 90 },
    Row { code: "1.001006", name: "Đăng ký nghĩa vụ quân sự lần đầu", field: NVQS, desk: 25, days: 3, fee_vnd: 0, online: FULL, document: "Phiếu tự khai sức khỏe nghĩa vụ quân sự", result: "Giấy chứng nhận đăng ký nghĩa vụ quân sự", basis: "Luật Nghĩa vụ quân sự 2015; Thông tư 148/2018/TT-BQP", weight: 120 },
    Row { code: "1.001007", name: "Tạm hoãn gọi nhập ngũ đối với công dân", field: NVQS, desk: 26, days: 10, fee_vnd: 0, online: PART, document: "Giấy xác nhận của cơ sở giáo dục hoặc giấy tờ chứng minh lý do tạm hoãn", result: "Quyết định tạm hoãn gọi nhập ngũ", basis: "Luật Nghĩa vụ quân sự 2015, Điều 41", weight: 70 },
    Row { code: "1.001008", name: "Miễn gọi nhập ngũ đối với công dân", field: NVQS, desk: 27, days: 10, fee_vnd: 0, online: PART, document: "Giấy tờ chứng minh thuộc diện miễn gọi nhập ngũ", result: "Quyết định miễn gọi nhập ngũ", basis: "Luật Nghĩa vụ quân sự 2015, Điều 41", weight: 30 },
    Row { code: "1.001009", name: "Đăng ký phục vụ trong ngạch dự bị", field: NVQS, desk: 24, days: 5, fee_vnd: 0, online: FULL, document: "Quyết định xuất ngũ hoặc thôi phục vụ", result: "Giấy chứng nhận đăng ký ngạch dự bị", basis: "Luật Nghĩa vụ quân sự 2015", weight: 55 },
    Row { code: "1.001010", name: "Tuyển chọn quân nhân chuyên nghiệp", field: QNCN, desk: 2, days: 20, fee_vnd: 0, online: NONE, document: "Bằng tốt nghiệp chuyên môn", result: "Quyết định tuyển chọn quân nhân chuyên nghiệp", basis: "Luật Quân nhân chuyên nghiệp, công nhân và viên chức quốc phòng 2015", weight: 20 },
    Row { code: "1.001011", name: "Xét nâng lương đối với quân nhân chuyên nghiệp", field: QNCN, desk: 2, days: 15, fee_vnd: 0, online: NONE, document: "Bản nhận xét, đánh giá của đơn vị", result: "Quyết định nâng lương", basis: "Nghị định 204/2004/NĐ-CP", weight: 25 },
    Row { code: "1.001012", name: "Chuyển chế độ công nhân và viên chức quốc phòng", field: QNCN, desk: 3, days: 20, fee_vnd: 0, online: NONE, document: "Hồ sơ cá nhân có xác nhận của đơn vị", result: "Quyết định chuyển chế độ", basis: "Luật Quân nhân chuyên nghiệp, công nhân và viên chức quốc phòng 2015", weight: 10 },
    Row { code: "1.001013", name: "Xét, bổ nhiệm sĩ quan dự bị", field: CB, desk: 3, days: 15, fee_vnd: 0, online: NONE, document: "Bằng tốt nghiệp đào tạo sĩ quan dự bị", result: "Quyết định bổ nhiệm sĩ quan dự bị", basis: "Luật Sĩ quan Quân đội nhân dân Việt Nam 1999 (sửa đổi 2014)", weight: 15 },
    Row { code: "1.001014", name: "Sơ tuyển vào các trường trong Quân đội", field: TS, desk: 7, days: 10, fee_vnd: 0, online: FULL, document: "Học bạ trung học phổ thông", result: "Phiếu kết quả sơ tuyển", basis: "Thông tư 16/2022/TT-BQP", weight: 45 },
    Row { code: "1.001015", name: "Cấp giấy xác nhận quá trình đào tạo tại học viện", field: GD, desk: 20, days: 5, fee_vnd: 0, online: FULL, document: "Quyết định cử đi học", result: "Giấy xác nhận quá trình đào tạo", basis: "Luật Giáo dục 2019", weight: 20 },
    Row { code: "1.001016", name: "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", field: GD, desk: 21, days: 5, fee_vnd: 20_000, online: FULL, document: "Văn bằng hoặc giấy tờ chứng minh người được cấp", result: "Bản sao văn bằng, chứng chỉ", basis: "Nghị định 23/2015/NĐ-CP", weight: 30 },
    Row { code: "1.001017", name: "Cấp giấy chứng nhận hoàn thành chương trình giáo dục quốc phòng và an ninh", field: GD, desk: 7, days: 10, fee_vnd: 0, online: PART, document: "Danh sách kết quả học tập có xác nhận của cơ sở đào tạo", result: "Giấy chứng nhận giáo dục quốc phòng và an ninh", basis: "Luật Giáo dục quốc phòng và an ninh 2013", weight: 25 },
    Row { code: "1.001018", name: "Thành lập đơn vị tự vệ trong doanh nghiệp", field: DQTV, desk: 8, days: 10, fee_vnd: 0, online: PART, document: "Giấy chứng nhận đăng ký doanh nghiệp", result: "Quyết định thành lập đơn vị tự vệ", basis: "Luật Dân quân tự vệ 2019; Nghị định 72/2020/NĐ-CP", weight: 12 },
    Row { code: "1.001019", name: "Giải quyết chế độ, chính sách đối với dân quân bị ốm, bị tai nạn, chết", field: DQTV, desk: 8, days: 15, fee_vnd: 0, online: PART, document: "Giấy ra viện hoặc biên bản tai nạn", result: "Quyết định trợ cấp", basis: "Nghị định 72/2020/NĐ-CP", weight: 15 },
    Row { code: "1.001020", name: "Giám định y khoa đối với quân nhân bị thương, bị bệnh", field: YT, desk: 4, days: 20, fee_vnd: 0, online: NONE, document: "Hồ sơ bệnh án, giấy ra viện", result: "Biên bản giám định y khoa", basis: "Thông tư 105/2016/TT-BQP", weight: 25 },
    Row { code: "1.001021", name: "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh trong quân đội", field: YT, desk: 4, days: 20, fee_vnd: 360_000, online: PART, document: "Văn bằng chuyên môn y", result: "Chứng chỉ hành nghề khám bệnh, chữa bệnh", basis: "Luật Khám bệnh, chữa bệnh 2009", weight: 10 },
    Row { code: "1.001022", name: "Cấp giấy chứng nhận sức khỏe", field: YT, desk: 22, days: 3, fee_vnd: 150_000, online: NONE, document: "Ảnh chân dung 4x6", result: "Giấy chứng nhận sức khỏe", basis: "Thông tư 14/2013/TT-BYT", weight: 60 },
    Row { code: "1.001023", name: "Cung cấp bản sao hồ sơ bệnh án", field: YT, desk: 23, days: 5, fee_vnd: 0, online: PART, document: "Giấy tờ chứng minh là người bệnh hoặc người đại diện", result: "Bản tóm tắt hồ sơ bệnh án", basis: "Luật Khám bệnh, chữa bệnh 2009, Điều 59", weight: 40 },
    Row { code: "1.001024", name: "Chấp thuận chuyển mục đích sử dụng đất quốc phòng", field: DD, desk: 12, days: 30, fee_vnd: 0, online: NONE, document: "Bản đồ hiện trạng khu đất", result: "Văn bản chấp thuận", basis: "Luật Đất đai 2013; Nghị định 26/2022/NĐ-CP", weight: 4 },
    Row { code: "1.001025", name: "Thỏa thuận xây dựng công trình trong khu vực bảo vệ công trình quốc phòng", field: DD, desk: 14, days: 20, fee_vnd: 0, online: PART, document: "Hồ sơ thiết kế cơ sở của công trình", result: "Văn bản thỏa thuận", basis: "Nghị định 164/2018/NĐ-CP", weight: 8 },
    Row { code: "1.001026", name: "Cấp phép bay cho tàu bay không người lái và phương tiện bay siêu nhẹ", field: VT, desk: 14, days: 7, fee_vnd: 0, online: FULL, document: "Giấy chứng nhận đăng ký tàu bay", result: "Văn bản cấp phép bay", basis: "Nghị định 36/2008/NĐ-CP", weight: 35 },
    Row { code: "1.001027", name: "Cấp giấy phép xuất khẩu, nhập khẩu vũ khí quân dụng", field: VLN, desk: 18, days: 15, fee_vnd: 0, online: NONE, document: "Hợp đồng ngoại thương", result: "Giấy phép xuất khẩu, nhập khẩu", basis: "Luật Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ 2017", weight: 5 },
    Row { code: "1.001028", name: "Cấp giấy phép vận chuyển vật liệu nổ quân dụng", field: VLN, desk: 18, days: 10, fee_vnd: 800_000, online: PART, document: "Phương án vận chuyển", result: "Giấy phép vận chuyển", basis: "Luật Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ 2017", weight: 8 },
    Row { code: "1.001029", name: "Cấp giấy phép sản xuất sản phẩm quân sự", field: CN, desk: 19, days: 30, fee_vnd: 0, online: NONE, document: "Thuyết minh năng lực sản xuất", result: "Giấy phép sản xuất sản phẩm quân sự", basis: "Nghị định 47/2021/NĐ-CP", weight: 3 },
    Row { code: "1.001030", name: "Công nhận doanh nghiệp quốc phòng, an ninh", field: CN, desk: 19, days: 30, fee_vnd: 0, online: NONE, document: "Đề án công nhận doanh nghiệp", result: "Quyết định công nhận", basis: "Nghị định 93/2015/NĐ-CP", weight: 2 },
    Row { code: "1.001031", name: "Cấp phép cho tàu quân sự nước ngoài đến thăm nước Cộng hòa xã hội chủ nghĩa Việt Nam", field: DN, desk: 10, days: 20, fee_vnd: 0, online: NONE, document: "Công hàm đề nghị của phía nước ngoài", result: "Văn bản cấp phép", basis: "Nghị định 104/2012/NĐ-CP", weight: 2 },
    Row { code: "1.001032", name: "Cho phép người nước ngoài vào khu vực quân sự", field: DN, desk: 10, days: 7, fee_vnd: 0, online: PART, document: "Hộ chiếu", result: "Văn bản cho phép", basis: "Nghị định 104/2012/NĐ-CP", weight: 10 },
    Row { code: "1.001033", name: "Cấp phép hoạt động tìm kiếm, cứu nạn của tổ chức nước ngoài", field: CH, desk: 9, days: 10, fee_vnd: 0, online: PART, document: "Kế hoạch hoạt động tìm kiếm, cứu nạn", result: "Văn bản cấp phép", basis: "Nghị định 30/2017/NĐ-CP", weight: 3 },
    Row { code: "1.001034", name: "Cung cấp thông tin, dữ liệu đo đạc và bản đồ quân sự", field: BD, desk: 13, days: 7, fee_vnd: 100_000, online: FULL, document: "Văn bản đề nghị của cơ quan, tổ chức", result: "Thông tin, dữ liệu đo đạc và bản đồ", basis: "Luật Đo đạc và bản đồ 2018", weight: 12 },
    Row { code: "1.001035", name: "Cấp chứng chỉ năng lực hoạt động rà phá bom mìn, vật nổ", field: CH, desk: 11, days: 20, fee_vnd: 0, online: PART, document: "Danh sách nhân lực và trang bị rà phá", result: "Chứng chỉ năng lực rà phá bom mìn, vật nổ", basis: "Nghị định 18/2019/NĐ-CP", weight: 5 },
    Row { code: "1.001036", name: "Chấp thuận chủ trương đầu tư dự án trong khu vực quân sự", field: DD, desk: 6, days: 25, fee_vnd: 0, online: NONE, document: "Báo cáo đề xuất chủ trương đầu tư", result: "Văn bản chấp thuận chủ trương", basis: "Luật Đầu tư công 2019", weight: 3 },
    Row { code: "1.001037", name: "Đăng ký, cấp biển số xe quân sự", field: VLN, desk: 18, days: 5, fee_vnd: 0, online: NONE, document: "Giấy tờ nguồn gốc xe", result: "Giấy đăng ký và biển số xe quân sự", basis: "Thông tư 169/2021/TT-BQP", weight: 20 },
    Row { code: "1.001038", name: "Xét tặng Huy chương Chiến sĩ vẻ vang", field: TD, desk: 16, days: 30, fee_vnd: 0, online: NONE, document: "Bản khai thành tích", result: "Quyết định tặng Huy chương", basis: "Luật Thi đua, khen thưởng 2003 (sửa đổi 2013)", weight: 20 },
    Row { code: "1.001039", name: "Xác nhận thời gian công tác trong quân đội", field: CS, desk: 0, days: 5, fee_vnd: 0, online: FULL, document: "Quyết định nhập ngũ, xuất ngũ", result: "Giấy xác nhận thời gian công tác", basis: "Nghị định 33/2016/NĐ-CP", weight: 80 },
    Row { code: "1.001040", name: "Cung cấp thông tin tài liệu lưu trữ của Bộ Quốc phòng", field: LT, desk: 0, days: 5, fee_vnd: 20_000, online: FULL, document: "Phiếu yêu cầu khai thác tài liệu", result: "Bản sao tài liệu lưu trữ", basis: "Luật Lưu trữ 2011", weight: 30 },
    Row { code: "1.001041", name: "Giải quyết chế độ bảo hiểm y tế cho thân nhân quân nhân tại ngũ", field: BH, desk: 5, days: 10, fee_vnd: 0, online: FULL, document: "Giấy xác nhận quan hệ thân nhân", result: "Thẻ bảo hiểm y tế", basis: "Nghị định 70/2015/NĐ-CP", weight: 70 },
    Row { code: "1.001042", name: "Giải quyết chế độ ốm đau, thai sản đối với quân nhân", field: BH, desk: 26, days: 10, fee_vnd: 0, online: PART, document: "Giấy ra viện hoặc giấy chứng nhận nghỉ việc hưởng bảo hiểm xã hội", result: "Quyết định hưởng chế độ", basis: "Luật Bảo hiểm xã hội 2014", weight: 60 },
    Row { code: "1.001043", name: "Giải quyết chế độ đối với thương binh", field: CS, desk: 27, days: 20, fee_vnd: 0, online: NONE, document: "Biên bản giám định thương tật", result: "Quyết định trợ cấp thương binh", basis: "Pháp lệnh Ưu đãi người có công với cách mạng 2020", weight: 25 },
    Row { code: "1.001044", name: "Xét công nhận liệt sĩ", field: CS, desk: 16, days: 30, fee_vnd: 0, online: NONE, document: "Giấy báo tử", result: "Bằng Tổ quốc ghi công", basis: "Nghị định 131/2021/NĐ-CP", weight: 5 },
    Row { code: "1.001045", name: "Cấp phép sử dụng tần số vô tuyến điện trong khu vực quân sự", field: BD, desk: 29, days: 10, fee_vnd: 500_000, online: PART, document: "Thuyết minh kỹ thuật thiết bị", result: "Giấy phép sử dụng tần số", basis: "Luật Tần số vô tuyến điện 2009", weight: 6 },
    Row { code: "1.001046", name: "Cho ý kiến về khai thác khoáng sản trong khu vực công trình quốc phòng", field: DD, desk: 28, days: 15, fee_vnd: 0, online: NONE, document: "Bản đồ khu vực khai thác", result: "Văn bản cho ý kiến", basis: "Luật Khoáng sản 2010", weight: 4 },
];

/// Every procedure of the demo, checked by `Procedure::parse`, with its share of dossiers.
pub fn procedures(minutes_per_day: i64) -> Result<Vec<(Procedure, u32)>> {
    ROWS.iter()
        .map(|r| {
            Ok((
                Procedure::parse(new_procedure(r, minutes_per_day), minutes_per_day)?,
                r.weight,
            ))
        })
        .collect()
}

/// Indices (into `org::LEVEL_I_UNITS`) of the level-I units that run a one-stop desk.
pub fn desks() -> Vec<usize> {
    let mut d: Vec<usize> = ROWS.iter().map(|r| r.desk).collect();
    d.sort_unstable();
    d.dedup();
    d
}

fn new_procedure(r: &Row, minutes_per_day: i64) -> NewProcedure {
    let limit = TimeLimit {
        amount: r.days,
        unit: LimitUnit::WorkingDays,
    };
    let mut channels = vec![ChannelTerms {
        channel: Channel::InPerson,
        limit,
        fee_vnd: r.fee_vnd,
        fee_note: None,
    }];
    if r.online != OnlineLevel::None {
        channels.push(ChannelTerms {
            channel: Channel::Online,
            limit,
            fee_vnd: r.fee_vnd,
            fee_note: None,
        });
    }
    channels.push(ChannelTerms {
        channel: Channel::Postal,
        limit,
        fee_vnd: r.fee_vnd,
        fee_note: Some("Cước bưu chính do người nộp trả theo giá dịch vụ.".to_string()),
    });
    let doc = |key: &str, name: &str, copy_kind, optional| RequiredDocument {
        key: key.to_string(),
        name: name.to_string(),
        copy_kind,
        count: 1,
        optional,
    };
    NewProcedure {
        code: r.code.to_string(),
        name: r.name.to_string(),
        field: Field {
            code: r.field.0.to_string(),
            name: r.field.1.to_string(),
        },
        level: "Cấp Bộ".to_string(),
        implementing_unit: level_i_code(r.desk),
        channels,
        documents: vec![
            doc(
                "don_de_nghi",
                "Đơn đề nghị (theo mẫu)",
                CopyKind::Original,
                false,
            ),
            doc("cccd", "Căn cước công dân", CopyKind::Copy, false),
            doc("giay_to_chinh", r.document, CopyKind::CertifiedCopy, false),
            doc(
                "giay_uy_quyen",
                "Giấy ủy quyền (nếu nộp thay)",
                CopyKind::Original,
                true,
            ),
        ],
        results: vec![r.result.to_string()],
        legal_basis: vec![r.basis.to_string()],
        online_level: r.online,
        same_day_cutoff: None,
        workflow: workflow(i64::from(r.days) * minutes_per_day),
    }
}

/// Receive (1/16 of the time, at most two hours), appraise, approve (a fifth), number and
/// issue (1/16, at most four hours): budgets that add up to the limit exactly.
fn workflow(total: i64) -> Workflow {
    let receive = (total / 16).min(120);
    let approve = total / 5;
    let issue = (total / 16).min(240);
    let appraise = total - receive - approve - issue;
    let step = |key: &str, name: &str, role, budget_minutes| Step {
        key: key.to_string(),
        name: name.to_string(),
        role,
        unit: StepUnit::Owner,
        budget_minutes,
        channel_budgets: Default::default(),
    };
    Workflow {
        steps: vec![
            step(
                "tiep_nhan",
                "Tiếp nhận, chuyển hồ sơ",
                Role::Receiver,
                receive,
            ),
            step("tham_dinh", "Thẩm định hồ sơ", Role::Specialist, appraise),
            step("phe_duyet", "Phê duyệt, ký", Role::Leader, approve),
            step(
                "ban_hanh",
                "Vào số, đóng dấu, phát hành",
                Role::Clerk,
                issue,
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn forty_procedures_that_parse_over_real_fields() {
        let all = procedures(480).unwrap();
        assert!(all.len() >= 40);
        let codes: HashSet<_> = all.iter().map(|(p, _)| p.code.clone()).collect();
        assert_eq!(codes.len(), all.len());
        let fields: HashSet<_> = all.iter().map(|(p, _)| p.field.code.clone()).collect();
        assert!(fields.len() >= 15);
        for (p, _) in &all {
            p.workflow.validate_budgets(&p.channels, 480).unwrap();
        }
        assert!(desks().len() >= 24);
    }
}
