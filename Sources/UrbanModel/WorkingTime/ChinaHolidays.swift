/// The State Council's holiday arrangements (国务院办公厅关于部分节假日安排的通知) for 2025 and 2026, built in: the
/// text of `GeoData/holidays/cn-holidays-2025-2026.csv` (a test keeps the two identical). Next year's file, once
/// published (around November), is read beside it (`HolidayCalendar.merging`).
extension HolidayCalendar {
    /// Mainland China's public holidays and make-up working days of the built-in years (2025–2026).
    public static let china: HolidayCalendar = {
        do { return try HolidayCalendar(csv: chinaCSV) } catch { preconditionFailure("the built-in calendar: \(error)") }
    }()

    /// The CSV text of ``china``.
    public static let chinaCSV = """
    date,weekday,kind,festival_en,festival_zh,in_lieu
    2025-01-01,Wed,holiday,New Year's Day,元旦,0
    2025-01-26,Sun,makeup_workday,Spring Festival,春节,0
    2025-01-28,Tue,holiday,Spring Festival,春节,0
    2025-01-29,Wed,holiday,Spring Festival,春节,0
    2025-01-30,Thu,holiday,Spring Festival,春节,0
    2025-01-31,Fri,holiday,Spring Festival,春节,0
    2025-02-01,Sat,holiday,Spring Festival,春节,0
    2025-02-02,Sun,holiday,Spring Festival,春节,0
    2025-02-03,Mon,holiday,Spring Festival,春节,1
    2025-02-04,Tue,holiday,Spring Festival,春节,1
    2025-02-08,Sat,makeup_workday,Spring Festival,春节,0
    2025-04-04,Fri,holiday,Tomb-sweeping Day,清明节,0
    2025-04-05,Sat,holiday,Tomb-sweeping Day,清明节,0
    2025-04-06,Sun,holiday,Tomb-sweeping Day,清明节,0
    2025-04-27,Sun,makeup_workday,Labour Day,劳动节,0
    2025-05-01,Thu,holiday,Labour Day,劳动节,0
    2025-05-02,Fri,holiday,Labour Day,劳动节,0
    2025-05-03,Sat,holiday,Labour Day,劳动节,0
    2025-05-04,Sun,holiday,Labour Day,劳动节,0
    2025-05-05,Mon,holiday,Labour Day,劳动节,1
    2025-05-31,Sat,holiday,Dragon Boat Festival,端午节,0
    2025-06-01,Sun,holiday,Dragon Boat Festival,端午节,0
    2025-06-02,Mon,holiday,Dragon Boat Festival,端午节,0
    2025-09-28,Sun,makeup_workday,National Day,国庆节,0
    2025-10-01,Wed,holiday,National Day,国庆节,0
    2025-10-02,Thu,holiday,National Day,国庆节,0
    2025-10-03,Fri,holiday,National Day,国庆节,0
    2025-10-04,Sat,holiday,National Day,国庆节,0
    2025-10-05,Sun,holiday,National Day,国庆节,0
    2025-10-06,Mon,holiday,Mid-autumn Festival,中秋节,0
    2025-10-07,Tue,holiday,National Day,国庆节,1
    2025-10-08,Wed,holiday,National Day,国庆节,1
    2025-10-11,Sat,makeup_workday,National Day,国庆节,0
    2026-01-01,Thu,holiday,New Year's Day,元旦,0
    2026-01-02,Fri,holiday,New Year's Day,元旦,1
    2026-01-03,Sat,holiday,New Year's Day,元旦,0
    2026-01-04,Sun,makeup_workday,New Year's Day,元旦,0
    2026-02-14,Sat,makeup_workday,Spring Festival,春节,0
    2026-02-15,Sun,holiday,Spring Festival,春节,0
    2026-02-16,Mon,holiday,Spring Festival,春节,0
    2026-02-17,Tue,holiday,Spring Festival,春节,0
    2026-02-18,Wed,holiday,Spring Festival,春节,0
    2026-02-19,Thu,holiday,Spring Festival,春节,0
    2026-02-20,Fri,holiday,Spring Festival,春节,1
    2026-02-21,Sat,holiday,Spring Festival,春节,0
    2026-02-22,Sun,holiday,Spring Festival,春节,0
    2026-02-23,Mon,holiday,Spring Festival,春节,1
    2026-02-28,Sat,makeup_workday,Spring Festival,春节,0
    2026-04-04,Sat,holiday,Tomb-sweeping Day,清明节,0
    2026-04-05,Sun,holiday,Tomb-sweeping Day,清明节,0
    2026-04-06,Mon,holiday,Tomb-sweeping Day,清明节,0
    2026-05-01,Fri,holiday,Labour Day,劳动节,0
    2026-05-02,Sat,holiday,Labour Day,劳动节,0
    2026-05-03,Sun,holiday,Labour Day,劳动节,0
    2026-05-04,Mon,holiday,Labour Day,劳动节,0
    2026-05-05,Tue,holiday,Labour Day,劳动节,1
    2026-05-09,Sat,makeup_workday,Labour Day,劳动节,0
    2026-06-19,Fri,holiday,Dragon Boat Festival,端午节,0
    2026-06-20,Sat,holiday,Dragon Boat Festival,端午节,0
    2026-06-21,Sun,holiday,Dragon Boat Festival,端午节,0
    2026-09-20,Sun,makeup_workday,National Day,国庆节,0
    2026-09-25,Fri,holiday,Mid-autumn Festival,中秋节,0
    2026-09-26,Sat,holiday,Mid-autumn Festival,中秋节,0
    2026-09-27,Sun,holiday,Mid-autumn Festival,中秋节,0
    2026-10-01,Thu,holiday,National Day,国庆节,0
    2026-10-02,Fri,holiday,National Day,国庆节,0
    2026-10-03,Sat,holiday,National Day,国庆节,0
    2026-10-04,Sun,holiday,National Day,国庆节,0
    2026-10-05,Mon,holiday,National Day,国庆节,0
    2026-10-06,Tue,holiday,National Day,国庆节,1
    2026-10-07,Wed,holiday,National Day,国庆节,1
    2026-10-10,Sat,makeup_workday,National Day,国庆节,0
    """
}
