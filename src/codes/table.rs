//! The built-in crosswalk table (see `mod.rs`): one row per annals code and span of years.
//!
//! Written by the project from public facts: the Correlates of War state system list
//! (states2016: COW numbers, letters, names and years), the Gleditsch–Ward list of
//! independent states, and ISO 3166-1 / ISO 3166-3. No third-party crosswalk was copied.
//!
//! # Rows
//!
//! - One row per state and span. A code has several rows when the codes of other systems
//!   change under it: `DEU` is COW `GMY` 255 / GW 255 to 1945, COW `GFR` 260 / GW 260 for
//!   West Germany, and COW `GMY` 255 / GW 260 again from 1990.
//! - Years are whole years, inclusive; `None` as the last year means still valid. A state
//!   with several COW spells (Austria 1919–1938 and 1955–) has one row from its first year;
//!   the gaps are the COW states view's business, not the crosswalk's.
//! - When one number changes hands within a year (COW/GW 365 in 1922 and 1991, GW 678 in
//!   1990, COW 345 in 1918 and 2006), the year goes to the state that held it for most of
//!   that year, so the spans of different codes under one number never overlap.
//! - Rows for ISO entities outside COW and GW (Hong Kong, Puerto Rico, ...) start in 1816,
//!   the start of COW coverage, and have no COW or GW code.
//!
//! # Codes of historical states
//!
//! ISO 3166-1 alpha-3 where one exists; ISO 3166-3 former codes where they exist:
//! `DDR` (German Democratic Republic), `SUN` (Soviet Union), `YUG` (Yugoslavia, also Serbia
//! and Montenegro), `CSK` (Czechoslovakia), `YMD` (South Yemen). Every other code below was
//! invented for annals, always `X` and two letters, from ISO's user-assigned range (`XAA` to
//! `XZZ`), so that ISO can never assign it to another country:
//!
//! | code | state | COW | GW |
//! |------|-------|-----|----|
//! | `XAH` | Austria-Hungary (to 1918) | AUH 300 | 300 |
//! | `XHN` | Hanover | HAN 240 | 240 |
//! | `XBV` | Bavaria | BAV 245 | 245 |
//! | `XBD` | Baden | BAD 267 | 267 |
//! | `XSX` | Saxony | SAX 269 | 269 |
//! | `XWT` | Württemberg | WRT 271 | 271 |
//! | `XHK` | Hesse-Kassel (Hesse Electoral) | HSE 273 | 273 |
//! | `XHD` | Hesse-Darmstadt (Hesse Grand Ducal) | HSG 275 | 275 |
//! | `XMS` | Mecklenburg-Schwerin | MEC 280 | 280 |
//! | `XPS` | Papal States | PAP 327 | 327 |
//! | `XTS` | Two Sicilies | SIC 329 | 329 |
//! | `XMO` | Modena | MOD 332 | 332 |
//! | `XPA` | Parma | PMA 335 | 335 |
//! | `XTU` | Tuscany | TUS 337 | 337 |
//! | `XZN` | Zanzibar | ZAN 511 | – |
//! | `XYN` | Yemen Arab Republic (North Yemen, to 1989) | YAR 678 | 678 |
//! | `XKR` | Korea before 1910 (Joseon, Korean Empire) | KOR 730 | 730 |
//! | `XRV` | Republic of Vietnam (South Vietnam) | RVN 817 | 817 |
//! | `XUP` | United Provinces of Central America | – | 89 |
//! | `XGC` | Great Colombia | – | 99 |
//! | `XTV` | Transvaal | – | 563 |
//! | `XOF` | Orange Free State | – | 564 |
//! | `XTB` | Tibet (1913–1950) | – | 711 |
//! | `XBF` | Biafra (SIPRI recipient) | – | – |
//! | `XKT` | Katanga (SIPRI recipient) | – | – |
//! | `XNC` | Northern Cyprus (SIPRI recipient) | – | – |
//! | `XKX` | Kosovo (the user-assigned code the EU and IMF use) | KOS 347 | 347 |
//!
//! Clashes between systems (never translated by string equality): COW `AUS` is Austria
//! (`AUT`), ISO `AUS` Australia; COW `SLV` Slovenia (`SVN`), ISO `SLV` El Salvador; COW
//! `MAC` North Macedonia (`MKD`), ISO `MAC` Macao; COW `MNG` Montenegro (`MNE`), ISO `MNG`
//! Mongolia; COW `SWZ` Switzerland (`CHE`), ISO `SWZ` Eswatini; COW `CZE` Czechoslovakia
//! (`CSK`), ISO `CZE` Czechia.
//!
//! Names that change meaning over time are given to every row they may mean, and the year
//! decides: "Yemen" is North Yemen before 1990 and Yemen after; "Korea" is `XKR` to 1905
//! and South Korea from 1949 (between, the nearer in time; 1927 is a tie); UCDP's "Russia (Soviet Union)" and "Serbia (Yugoslavia)" go
//! by year too. Without a year such a name is ambiguous (an error, never a guess).

use super::Entry;

/// One row: code, display name, COW number, COW letters, GW number, ISO alpha-3,
/// (first year, last year), aliases.
#[allow(clippy::too_many_arguments)]
const fn row(
    code: &'static str,
    name: &'static str,
    cow_num: Option<u16>,
    cow_abb: Option<&'static str>,
    gw: Option<u16>,
    iso3: Option<&'static str>,
    years: (i32, Option<i32>),
    aliases: &'static [&'static str],
) -> Entry {
    Entry {
        code,
        name,
        cow_num,
        cow_abb,
        gw,
        iso3,
        from_year: years.0,
        to_year: years.1,
        aliases,
    }
}

/// ISO 3166-3 alpha-3 codes withdrawn from ISO 3166-1 when a country was renamed, with the
/// annals code they translate to (the codes of dissolved states, DDR, SUN, YUG, CSK and
/// YMD, are rows' `iso3` themselves).
pub(super) const FORMER_ISO3: &[(&str, &str)] = &[
    ("BUR", "MMR"), // Burma
    ("DHY", "BEN"), // Dahomey
    ("HVO", "BFA"), // Upper Volta
    ("ROM", "ROU"), // Romania until 2002
    ("TMP", "TLS"), // East Timor until 2002
    ("ZAR", "COD"), // Zaire
    ("SCG", "YUG"), // Serbia and Montenegro
    ("VDR", "VNM"), // Democratic Republic of Viet-Nam
    ("RHO", "ZWE"), // Southern Rhodesia
];

pub(super) const ENTRIES: &[Entry] = &[
    row("USA", "United States", Some(2), Some("USA"), Some(2), Some("USA"), (1816, None), &["United States of America", "US", "U.S.", "U.S.A.", "America"]),
    row("CAN", "Canada", Some(20), Some("CAN"), Some(20), Some("CAN"), (1920, None), &[]),
    row("BHS", "Bahamas", Some(31), Some("BHM"), Some(31), Some("BHS"), (1973, None), &["The Bahamas", "Bahamas, The"]),
    row("CUB", "Cuba", Some(40), Some("CUB"), Some(40), Some("CUB"), (1902, None), &[]),
    row("HTI", "Haiti", Some(41), Some("HAI"), Some(41), Some("HTI"), (1859, None), &[]),
    row("DOM", "Dominican Republic", Some(42), Some("DOM"), Some(42), Some("DOM"), (1894, None), &[]),
    row("JAM", "Jamaica", Some(51), Some("JAM"), Some(51), Some("JAM"), (1962, None), &[]),
    row("TTO", "Trinidad and Tobago", Some(52), Some("TRI"), Some(52), Some("TTO"), (1962, None), &[]),
    row("BRB", "Barbados", Some(53), Some("BAR"), Some(53), Some("BRB"), (1966, None), &[]),
    row("DMA", "Dominica", Some(54), Some("DMA"), None, Some("DMA"), (1978, None), &[]),
    row("GRD", "Grenada", Some(55), Some("GRN"), None, Some("GRD"), (1974, None), &[]),
    row("LCA", "Saint Lucia", Some(56), Some("SLU"), None, Some("LCA"), (1979, None), &["St. Lucia", "St Lucia"]),
    row("VCT", "Saint Vincent and the Grenadines", Some(57), Some("SVG"), None, Some("VCT"), (1979, None), &["St. Vincent and the Grenadines", "Saint Vincent"]),
    row("ATG", "Antigua and Barbuda", Some(58), Some("AAB"), None, Some("ATG"), (1981, None), &["Antigua & Barbuda"]),
    row("KNA", "Saint Kitts and Nevis", Some(60), Some("SKN"), None, Some("KNA"), (1983, None), &["St. Kitts and Nevis"]),
    row("MEX", "Mexico", Some(70), Some("MEX"), Some(70), Some("MEX"), (1831, None), &[]),
    row("BLZ", "Belize", Some(80), Some("BLZ"), Some(80), Some("BLZ"), (1981, None), &[]),
    row("GTM", "Guatemala", Some(90), Some("GUA"), Some(90), Some("GTM"), (1868, None), &[]),
    row("HND", "Honduras", Some(91), Some("HON"), Some(91), Some("HND"), (1899, None), &[]),
    row("SLV", "El Salvador", Some(92), Some("SAL"), Some(92), Some("SLV"), (1875, None), &[]),
    row("NIC", "Nicaragua", Some(93), Some("NIC"), Some(93), Some("NIC"), (1900, None), &[]),
    row("CRI", "Costa Rica", Some(94), Some("COS"), Some(94), Some("CRI"), (1920, None), &[]),
    row("PAN", "Panama", Some(95), Some("PAN"), Some(95), Some("PAN"), (1903, None), &[]),
    row("COL", "Colombia", Some(100), Some("COL"), Some(100), Some("COL"), (1831, None), &[]),
    row("VEN", "Venezuela", Some(101), Some("VEN"), Some(101), Some("VEN"), (1841, None), &[]),
    row("GUY", "Guyana", Some(110), Some("GUY"), Some(110), Some("GUY"), (1966, None), &[]),
    row("SUR", "Suriname", Some(115), Some("SUR"), Some(115), Some("SUR"), (1975, None), &["Surinam"]),
    row("ECU", "Ecuador", Some(130), Some("ECU"), Some(130), Some("ECU"), (1854, None), &[]),
    row("PER", "Peru", Some(135), Some("PER"), Some(135), Some("PER"), (1839, None), &[]),
    row("BRA", "Brazil", Some(140), Some("BRA"), Some(140), Some("BRA"), (1822, None), &[]),
    row("BOL", "Bolivia", Some(145), Some("BOL"), Some(145), Some("BOL"), (1848, None), &[]),
    row("PRY", "Paraguay", Some(150), Some("PAR"), Some(150), Some("PRY"), (1846, None), &[]),
    row("CHL", "Chile", Some(155), Some("CHL"), Some(155), Some("CHL"), (1839, None), &[]),
    row("ARG", "Argentina", Some(160), Some("ARG"), Some(160), Some("ARG"), (1841, None), &[]),
    row("URY", "Uruguay", Some(165), Some("URU"), Some(165), Some("URY"), (1882, None), &[]),
    row("GBR", "United Kingdom", Some(200), Some("UKG"), Some(200), Some("GBR"), (1816, None), &["UK", "Great Britain", "Britain", "United Kingdom of Great Britain and Northern Ireland"]),
    row("IRL", "Ireland", Some(205), Some("IRE"), Some(205), Some("IRL"), (1922, None), &[]),
    row("NLD", "Netherlands", Some(210), Some("NTH"), Some(210), Some("NLD"), (1816, None), &["The Netherlands", "Holland"]),
    row("BEL", "Belgium", Some(211), Some("BEL"), Some(211), Some("BEL"), (1830, None), &[]),
    row("LUX", "Luxembourg", Some(212), Some("LUX"), Some(212), Some("LUX"), (1920, None), &[]),
    row("FRA", "France", Some(220), Some("FRN"), Some(220), Some("FRA"), (1816, None), &[]),
    row("MCO", "Monaco", Some(221), Some("MNC"), None, Some("MCO"), (1993, None), &[]),
    row("LIE", "Liechtenstein", Some(223), Some("LIE"), None, Some("LIE"), (1990, None), &[]),
    row("CHE", "Switzerland", Some(225), Some("SWZ"), Some(225), Some("CHE"), (1816, None), &[]),
    row("ESP", "Spain", Some(230), Some("SPN"), Some(230), Some("ESP"), (1816, None), &[]),
    row("AND", "Andorra", Some(232), Some("AND"), None, Some("AND"), (1993, None), &[]),
    row("PRT", "Portugal", Some(235), Some("POR"), Some(235), Some("PRT"), (1816, None), &[]),
    row("XHN", "Hanover", Some(240), Some("HAN"), Some(240), None, (1837, Some(1866)), &["Kingdom of Hanover"]),
    row("XBV", "Bavaria", Some(245), Some("BAV"), Some(245), None, (1816, Some(1871)), &["Kingdom of Bavaria"]),
    row("DDR", "German Democratic Republic", Some(265), Some("GDR"), Some(265), Some("DDR"), (1954, Some(1990)), &["East Germany", "East Germany (GDR)", "GDR", "Germany (GDR)", "Germany, East"]),
    row("XBD", "Baden", Some(267), Some("BAD"), Some(267), None, (1816, Some(1871)), &["Grand Duchy of Baden"]),
    row("XSX", "Saxony", Some(269), Some("SAX"), Some(269), None, (1816, Some(1867)), &["Kingdom of Saxony"]),
    row("XWT", "Württemberg", Some(271), Some("WRT"), Some(271), None, (1816, Some(1871)), &["Wuerttemburg", "Wurttemberg", "Wuerttemberg", "Kingdom of Württemberg"]),
    row("XHK", "Hesse-Kassel", Some(273), Some("HSE"), Some(273), None, (1816, Some(1866)), &["Hesse Electoral", "Hesse-Kassel (Electoral)", "Electorate of Hesse"]),
    row("XHD", "Hesse-Darmstadt", Some(275), Some("HSG"), Some(275), None, (1816, Some(1867)), &["Hesse Grand Ducal", "Hesse-Darmstadt (Ducal)", "Grand Duchy of Hesse"]),
    row("XMS", "Mecklenburg-Schwerin", Some(280), Some("MEC"), Some(280), None, (1843, Some(1867)), &["Mecklenburg Schwerin"]),
    row("POL", "Poland", Some(290), Some("POL"), Some(290), Some("POL"), (1918, None), &[]),
    row("XAH", "Austria-Hungary", Some(300), Some("AUH"), Some(300), None, (1816, Some(1918)), &["Austrian Empire", "Austro-Hungarian Empire"]),
    row("AUT", "Austria", Some(305), Some("AUS"), Some(305), Some("AUT"), (1919, None), &[]),
    row("HUN", "Hungary", Some(310), Some("HUN"), Some(310), Some("HUN"), (1918, None), &[]),
    row("CSK", "Czechoslovakia", Some(315), Some("CZE"), Some(315), Some("CSK"), (1918, Some(1992)), &[]),
    row("CZE", "Czechia", Some(316), Some("CZR"), Some(316), Some("CZE"), (1993, None), &["Czech Republic"]),
    row("SVK", "Slovakia", Some(317), Some("SLO"), Some(317), Some("SVK"), (1993, None), &["Slovak Republic"]),
    row("ITA", "Italy", Some(325), Some("ITA"), Some(325), Some("ITA"), (1816, None), &["Italy/Sardinia", "Sardinia", "Piedmont-Sardinia"]),
    row("XPS", "Papal States", Some(327), Some("PAP"), Some(327), None, (1816, Some(1860)), &["States of the Church"]),
    row("XTS", "Two Sicilies", Some(329), Some("SIC"), Some(329), None, (1816, Some(1861)), &["Kingdom of the Two Sicilies"]),
    row("SMR", "San Marino", Some(331), Some("SNM"), None, Some("SMR"), (1992, None), &[]),
    row("XMO", "Modena", Some(332), Some("MOD"), Some(332), None, (1842, Some(1860)), &["Duchy of Modena"]),
    row("XPA", "Parma", Some(335), Some("PMA"), Some(335), None, (1851, Some(1860)), &["Duchy of Parma"]),
    row("XTU", "Tuscany", Some(337), Some("TUS"), Some(337), None, (1816, Some(1860)), &["Grand Duchy of Tuscany"]),
    row("MLT", "Malta", Some(338), Some("MLT"), Some(338), Some("MLT"), (1964, None), &[]),
    row("ALB", "Albania", Some(339), Some("ALB"), Some(339), Some("ALB"), (1914, None), &[]),
    row("MKD", "North Macedonia", Some(343), Some("MAC"), Some(343), Some("MKD"), (1993, None), &["Macedonia", "Macedonia, FYR", "FYR Macedonia", "Former Yugoslav Republic of Macedonia", "Macedonia (Former Yugoslav Republic of)", "Republic of North Macedonia"]),
    row("HRV", "Croatia", Some(344), Some("CRO"), Some(344), Some("HRV"), (1992, None), &[]),
    row("BIH", "Bosnia and Herzegovina", Some(346), Some("BOS"), Some(346), Some("BIH"), (1992, None), &["Bosnia-Herzegovina", "Bosnia"]),
    row("XKX", "Kosovo", Some(347), Some("KOS"), Some(347), None, (2008, None), &[]),
    row("SVN", "Slovenia", Some(349), Some("SLV"), Some(349), Some("SVN"), (1992, None), &[]),
    row("GRC", "Greece", Some(350), Some("GRC"), Some(350), Some("GRC"), (1828, None), &[]),
    row("CYP", "Cyprus", Some(352), Some("CYP"), Some(352), Some("CYP"), (1960, None), &[]),
    row("BGR", "Bulgaria", Some(355), Some("BUL"), Some(355), Some("BGR"), (1908, None), &[]),
    row("MDA", "Moldova", Some(359), Some("MLD"), Some(359), Some("MDA"), (1991, None), &["Republic of Moldova", "Moldavia"]),
    row("ROU", "Romania", Some(360), Some("ROM"), Some(360), Some("ROU"), (1878, None), &["Rumania", "Roumania"]),
    row("EST", "Estonia", Some(366), Some("EST"), Some(366), Some("EST"), (1918, None), &[]),
    row("LVA", "Latvia", Some(367), Some("LAT"), Some(367), Some("LVA"), (1918, None), &[]),
    row("LTU", "Lithuania", Some(368), Some("LIT"), Some(368), Some("LTU"), (1918, None), &[]),
    row("UKR", "Ukraine", Some(369), Some("UKR"), Some(369), Some("UKR"), (1991, None), &[]),
    row("BLR", "Belarus", Some(370), Some("BLR"), Some(370), Some("BLR"), (1991, None), &["Byelorussia", "Belorussia", "Belarus (Byelorussia)"]),
    row("ARM", "Armenia", Some(371), Some("ARM"), Some(371), Some("ARM"), (1991, None), &[]),
    row("GEO", "Georgia", Some(372), Some("GRG"), Some(372), Some("GEO"), (1991, None), &[]),
    row("AZE", "Azerbaijan", Some(373), Some("AZE"), Some(373), Some("AZE"), (1991, None), &[]),
    row("FIN", "Finland", Some(375), Some("FIN"), Some(375), Some("FIN"), (1917, None), &[]),
    row("SWE", "Sweden", Some(380), Some("SWD"), Some(380), Some("SWE"), (1816, None), &[]),
    row("NOR", "Norway", Some(385), Some("NOR"), Some(385), Some("NOR"), (1905, None), &[]),
    row("DNK", "Denmark", Some(390), Some("DEN"), Some(390), Some("DNK"), (1816, None), &[]),
    row("ISL", "Iceland", Some(395), Some("ICE"), Some(395), Some("ISL"), (1944, None), &[]),
    row("CPV", "Cabo Verde", Some(402), Some("CAP"), Some(402), Some("CPV"), (1975, None), &["Cape Verde"]),
    row("STP", "Sao Tome and Principe", Some(403), Some("STP"), None, Some("STP"), (1975, None), &["São Tomé and Príncipe"]),
    row("GNB", "Guinea-Bissau", Some(404), Some("GNB"), Some(404), Some("GNB"), (1974, None), &[]),
    row("GNQ", "Equatorial Guinea", Some(411), Some("EQG"), Some(411), Some("GNQ"), (1968, None), &[]),
    row("GMB", "Gambia", Some(420), Some("GAM"), Some(420), Some("GMB"), (1965, None), &["The Gambia", "Gambia, The"]),
    row("MLI", "Mali", Some(432), Some("MLI"), Some(432), Some("MLI"), (1960, None), &[]),
    row("SEN", "Senegal", Some(433), Some("SEN"), Some(433), Some("SEN"), (1960, None), &[]),
    row("BEN", "Benin", Some(434), Some("BEN"), Some(434), Some("BEN"), (1960, None), &["Dahomey"]),
    row("MRT", "Mauritania", Some(435), Some("MAA"), Some(435), Some("MRT"), (1960, None), &[]),
    row("NER", "Niger", Some(436), Some("NIR"), Some(436), Some("NER"), (1960, None), &[]),
    row("CIV", "Côte d'Ivoire", Some(437), Some("CDI"), Some(437), Some("CIV"), (1960, None), &["Ivory Coast", "Cote d'Ivoire", "Cote D'Ivoire"]),
    row("GIN", "Guinea", Some(438), Some("GUI"), Some(438), Some("GIN"), (1958, None), &[]),
    row("BFA", "Burkina Faso", Some(439), Some("BFO"), Some(439), Some("BFA"), (1960, None), &["Upper Volta", "Burkina Faso (Upper Volta)"]),
    row("LBR", "Liberia", Some(450), Some("LBR"), Some(450), Some("LBR"), (1920, None), &[]),
    row("SLE", "Sierra Leone", Some(451), Some("SIE"), Some(451), Some("SLE"), (1961, None), &[]),
    row("GHA", "Ghana", Some(452), Some("GHA"), Some(452), Some("GHA"), (1957, None), &[]),
    row("TGO", "Togo", Some(461), Some("TOG"), Some(461), Some("TGO"), (1960, None), &[]),
    row("CMR", "Cameroon", Some(471), Some("CAO"), Some(471), Some("CMR"), (1960, None), &[]),
    row("NGA", "Nigeria", Some(475), Some("NIG"), Some(475), Some("NGA"), (1960, None), &[]),
    row("GAB", "Gabon", Some(481), Some("GAB"), Some(481), Some("GAB"), (1960, None), &[]),
    row("CAF", "Central African Republic", Some(482), Some("CEN"), Some(482), Some("CAF"), (1960, None), &["CAR"]),
    row("TCD", "Chad", Some(483), Some("CHA"), Some(483), Some("TCD"), (1960, None), &[]),
    row("COG", "Congo", Some(484), Some("CON"), Some(484), Some("COG"), (1960, None), &["Republic of the Congo", "Congo-Brazzaville", "Congo, Republic of", "Congo (Brazzaville)"]),
    row("COD", "Democratic Republic of the Congo", Some(490), Some("DRC"), Some(490), Some("COD"), (1960, None), &["DR Congo", "DRC", "Zaire", "DR Congo (Zaire)", "Congo, Democratic Republic of", "Congo, Democratic Republic of (Zaire)", "Congo-Kinshasa", "Congo (Kinshasa)"]),
    row("UGA", "Uganda", Some(500), Some("UGA"), Some(500), Some("UGA"), (1962, None), &[]),
    row("KEN", "Kenya", Some(501), Some("KEN"), Some(501), Some("KEN"), (1963, None), &[]),
    row("TZA", "Tanzania", Some(510), Some("TAZ"), Some(510), Some("TZA"), (1961, None), &["United Republic of Tanzania", "Tanganyika", "Tanzania/Tanganyika"]),
    row("XZN", "Zanzibar", Some(511), Some("ZAN"), Some(511), None, (1963, Some(1964)), &[]),
    row("BDI", "Burundi", Some(516), Some("BUI"), Some(516), Some("BDI"), (1962, None), &[]),
    row("RWA", "Rwanda", Some(517), Some("RWA"), Some(517), Some("RWA"), (1962, None), &[]),
    row("SOM", "Somalia", Some(520), Some("SOM"), Some(520), Some("SOM"), (1960, None), &[]),
    row("DJI", "Djibouti", Some(522), Some("DJI"), Some(522), Some("DJI"), (1977, None), &[]),
    row("ETH", "Ethiopia", Some(530), Some("ETH"), Some(530), Some("ETH"), (1898, None), &["Abyssinia"]),
    row("ERI", "Eritrea", Some(531), Some("ERI"), Some(531), Some("ERI"), (1993, None), &[]),
    row("AGO", "Angola", Some(540), Some("ANG"), Some(540), Some("AGO"), (1975, None), &[]),
    row("MOZ", "Mozambique", Some(541), Some("MZM"), Some(541), Some("MOZ"), (1975, None), &[]),
    row("ZMB", "Zambia", Some(551), Some("ZAM"), Some(551), Some("ZMB"), (1964, None), &[]),
    row("ZWE", "Zimbabwe", Some(552), Some("ZIM"), Some(552), Some("ZWE"), (1965, None), &["Rhodesia", "Zimbabwe (Rhodesia)"]),
    row("MWI", "Malawi", Some(553), Some("MAW"), Some(553), Some("MWI"), (1964, None), &[]),
    row("ZAF", "South Africa", Some(560), Some("SAF"), Some(560), Some("ZAF"), (1920, None), &[]),
    row("NAM", "Namibia", Some(565), Some("NAM"), Some(565), Some("NAM"), (1990, None), &[]),
    row("LSO", "Lesotho", Some(570), Some("LES"), Some(570), Some("LSO"), (1966, None), &[]),
    row("BWA", "Botswana", Some(571), Some("BOT"), Some(571), Some("BWA"), (1966, None), &[]),
    row("SWZ", "Eswatini", Some(572), Some("SWA"), Some(572), Some("SWZ"), (1968, None), &["Swaziland", "eSwatini", "Kingdom of eSwatini (Swaziland)", "Kingdom of Eswatini"]),
    row("MDG", "Madagascar", Some(580), Some("MAG"), Some(580), Some("MDG"), (1960, None), &["Malagasy Republic", "Madagascar (Malagasy)"]),
    row("COM", "Comoros", Some(581), Some("COM"), Some(581), Some("COM"), (1975, None), &[]),
    row("MUS", "Mauritius", Some(590), Some("MAS"), Some(590), Some("MUS"), (1968, None), &[]),
    row("SYC", "Seychelles", Some(591), Some("SEY"), None, Some("SYC"), (1976, None), &[]),
    row("MAR", "Morocco", Some(600), Some("MOR"), Some(600), Some("MAR"), (1847, None), &[]),
    row("DZA", "Algeria", Some(615), Some("ALG"), Some(615), Some("DZA"), (1962, None), &[]),
    row("TUN", "Tunisia", Some(616), Some("TUN"), Some(616), Some("TUN"), (1825, None), &[]),
    row("LBY", "Libya", Some(620), Some("LIB"), Some(620), Some("LBY"), (1951, None), &["Libya GNC"]),
    row("SDN", "Sudan", Some(625), Some("SUD"), Some(625), Some("SDN"), (1956, None), &[]),
    row("SSD", "South Sudan", Some(626), Some("SSD"), Some(626), Some("SSD"), (2011, None), &[]),
    row("IRN", "Iran", Some(630), Some("IRN"), Some(630), Some("IRN"), (1855, None), &["Persia", "Iran (Persia)", "Islamic Republic of Iran"]),
    row("TUR", "Türkiye", Some(640), Some("TUR"), Some(640), Some("TUR"), (1816, None), &["Turkey", "Turkiye", "Ottoman Empire", "Turkey (Ottoman Empire)"]),
    row("IRQ", "Iraq", Some(645), Some("IRQ"), Some(645), Some("IRQ"), (1932, None), &[]),
    row("EGY", "Egypt", Some(651), Some("EGY"), Some(651), Some("EGY"), (1855, None), &["United Arab Republic"]),
    row("SYR", "Syria", Some(652), Some("SYR"), Some(652), Some("SYR"), (1946, None), &["Syrian Arab Republic"]),
    row("LBN", "Lebanon", Some(660), Some("LEB"), Some(660), Some("LBN"), (1946, None), &[]),
    row("JOR", "Jordan", Some(663), Some("JOR"), Some(663), Some("JOR"), (1946, None), &["Transjordan"]),
    row("ISR", "Israel", Some(666), Some("ISR"), Some(666), Some("ISR"), (1948, None), &[]),
    row("SAU", "Saudi Arabia", Some(670), Some("SAU"), Some(670), Some("SAU"), (1927, None), &[]),
    row("YMD", "South Yemen", Some(680), Some("YPR"), Some(680), Some("YMD"), (1967, Some(1990)), &["Yemen People's Republic", "People's Democratic Republic of Yemen", "Yemen, South", "Yemen (South Yemen)", "Yemen, People's Republic of"]),
    row("KWT", "Kuwait", Some(690), Some("KUW"), Some(690), Some("KWT"), (1961, None), &[]),
    row("BHR", "Bahrain", Some(692), Some("BAH"), Some(692), Some("BHR"), (1971, None), &[]),
    row("QAT", "Qatar", Some(694), Some("QAT"), Some(694), Some("QAT"), (1971, None), &[]),
    row("ARE", "United Arab Emirates", Some(696), Some("UAE"), Some(696), Some("ARE"), (1971, None), &["UAE"]),
    row("OMN", "Oman", Some(698), Some("OMA"), Some(698), Some("OMN"), (1971, None), &["Muscat and Oman"]),
    row("AFG", "Afghanistan", Some(700), Some("AFG"), Some(700), Some("AFG"), (1919, None), &[]),
    row("TKM", "Turkmenistan", Some(701), Some("TKM"), Some(701), Some("TKM"), (1991, None), &[]),
    row("TJK", "Tajikistan", Some(702), Some("TAJ"), Some(702), Some("TJK"), (1991, None), &[]),
    row("KGZ", "Kyrgyzstan", Some(703), Some("KYR"), Some(703), Some("KGZ"), (1991, None), &["Kyrgyz Republic", "Kirghizia"]),
    row("UZB", "Uzbekistan", Some(704), Some("UZB"), Some(704), Some("UZB"), (1991, None), &[]),
    row("KAZ", "Kazakhstan", Some(705), Some("KZK"), Some(705), Some("KAZ"), (1991, None), &[]),
    row("CHN", "China", Some(710), Some("CHN"), Some(710), Some("CHN"), (1860, None), &["People's Republic of China", "PRC"]),
    row("MNG", "Mongolia", Some(712), Some("MON"), Some(712), Some("MNG"), (1921, None), &[]),
    row("TWN", "Taiwan", Some(713), Some("TAW"), Some(713), Some("TWN"), (1949, None), &["Republic of China", "Taiwan (Republic of China)"]),
    row("XKR", "Korea (Joseon, Korean Empire)", Some(730), Some("KOR"), Some(730), None, (1887, Some(1905)), &["Korea", "Korean Empire", "Joseon"]),
    row("PRK", "North Korea", Some(731), Some("PRK"), Some(731), Some("PRK"), (1948, None), &["Korea, North", "Democratic People's Republic of Korea", "DPRK", "Korea, People's Republic of", "Korea, Democratic People's Republic of"]),
    row("KOR", "South Korea", Some(732), Some("ROK"), Some(732), Some("KOR"), (1949, None), &["Korea, South", "Republic of Korea", "ROK", "Korea, Republic of", "Korea"]),
    row("JPN", "Japan", Some(740), Some("JPN"), Some(740), Some("JPN"), (1860, None), &[]),
    row("IND", "India", Some(750), Some("IND"), Some(750), Some("IND"), (1947, None), &[]),
    row("BTN", "Bhutan", Some(760), Some("BHU"), Some(760), Some("BTN"), (1971, None), &[]),
    row("PAK", "Pakistan", Some(770), Some("PAK"), Some(770), Some("PAK"), (1947, None), &[]),
    row("BGD", "Bangladesh", Some(771), Some("BNG"), Some(771), Some("BGD"), (1971, None), &[]),
    row("MMR", "Myanmar", Some(775), Some("MYA"), Some(775), Some("MMR"), (1948, None), &["Burma", "Myanmar (Burma)"]),
    row("LKA", "Sri Lanka", Some(780), Some("SRI"), Some(780), Some("LKA"), (1948, None), &["Ceylon", "Sri Lanka (Ceylon)"]),
    row("MDV", "Maldives", Some(781), Some("MAD"), Some(781), Some("MDV"), (1965, None), &[]),
    row("NPL", "Nepal", Some(790), Some("NEP"), Some(790), Some("NPL"), (1920, None), &[]),
    row("THA", "Thailand", Some(800), Some("THI"), Some(800), Some("THA"), (1887, None), &["Siam"]),
    row("KHM", "Cambodia", Some(811), Some("CAM"), Some(811), Some("KHM"), (1953, None), &["Kampuchea", "Cambodia (Kampuchea)"]),
    row("LAO", "Laos", Some(812), Some("LAO"), Some(812), Some("LAO"), (1953, None), &["Lao PDR", "Lao People's Democratic Republic"]),
    row("XRV", "Republic of Vietnam", Some(817), Some("RVN"), Some(817), None, (1954, Some(1975)), &["South Vietnam", "Vietnam, South", "Vietnam, Republic of"]),
    row("MYS", "Malaysia", Some(820), Some("MAL"), Some(820), Some("MYS"), (1957, None), &["Malaya"]),
    row("SGP", "Singapore", Some(830), Some("SIN"), Some(830), Some("SGP"), (1965, None), &[]),
    row("BRN", "Brunei", Some(835), Some("BRU"), Some(835), Some("BRN"), (1984, None), &["Brunei Darussalam"]),
    row("PHL", "Philippines", Some(840), Some("PHI"), Some(840), Some("PHL"), (1946, None), &[]),
    row("IDN", "Indonesia", Some(850), Some("INS"), Some(850), Some("IDN"), (1949, None), &[]),
    row("TLS", "Timor-Leste", Some(860), Some("ETM"), Some(860), Some("TLS"), (2002, None), &["East Timor"]),
    row("AUS", "Australia", Some(900), Some("AUL"), Some(900), Some("AUS"), (1920, None), &[]),
    row("PNG", "Papua New Guinea", Some(910), Some("PNG"), Some(910), Some("PNG"), (1975, None), &[]),
    row("NZL", "New Zealand", Some(920), Some("NEW"), Some(920), Some("NZL"), (1920, None), &[]),
    row("VUT", "Vanuatu", Some(935), Some("VAN"), None, Some("VUT"), (1981, None), &[]),
    row("SLB", "Solomon Islands", Some(940), Some("SOL"), Some(940), Some("SLB"), (1978, None), &[]),
    row("KIR", "Kiribati", Some(946), Some("KIR"), None, Some("KIR"), (1999, None), &[]),
    row("TUV", "Tuvalu", Some(947), Some("TUV"), None, Some("TUV"), (2000, None), &[]),
    row("FJI", "Fiji", Some(950), Some("FIJ"), Some(950), Some("FJI"), (1970, None), &[]),
    row("TON", "Tonga", Some(955), Some("TON"), None, Some("TON"), (1999, None), &[]),
    row("NRU", "Nauru", Some(970), Some("NAU"), None, Some("NRU"), (1999, None), &[]),
    row("MHL", "Marshall Islands", Some(983), Some("MSI"), None, Some("MHL"), (1991, None), &[]),
    row("PLW", "Palau", Some(986), Some("PAL"), None, Some("PLW"), (1994, None), &[]),
    row("FSM", "Micronesia", Some(987), Some("FSM"), None, Some("FSM"), (1991, None), &["Federated States of Micronesia", "Micronesia, Federated States of"]),
    row("WSM", "Samoa", Some(990), Some("WSM"), None, Some("WSM"), (1976, None), &["Western Samoa"]),
    // Germany (Prussia, the German Empire, the Reich) to 1945: COW GMY 255, GW 255.
    row("DEU", "Germany", Some(255), Some("GMY"), Some(255), Some("DEU"), (1816, Some(1945)), &["German Empire", "Prussia", "Germany (Prussia)", "German Reich"]),
    // West Germany: COW GFR 260 (a member from 1955), GW 260 (from 1949).
    row("DEU", "Germany", Some(260), Some("GFR"), Some(260), Some("DEU"), (1949, Some(1990)), &["West Germany", "Germany (FRG)", "German Federal Republic", "Federal Republic of Germany", "FRG", "Germany, West"]),
    // Unified Germany from 3 October 1990: COW GMY 255 again, GW keeps 260.
    row("DEU", "Germany", Some(255), Some("GMY"), Some(260), Some("DEU"), (1990, None), &["Federal Republic of Germany"]),
    // The Russian Empire and the RSFSR to 1922 (the USSR was founded on 30 December 1922).
    row("RUS", "Russia", Some(365), Some("RUS"), Some(365), Some("RUS"), (1816, Some(1922)), &["Russian Empire", "Russia (Soviet Union)"]),
    // ISO 3166-3 SUN. COW and GW keep 365 for it; 1923-1991 by the most-of-the-year rule (dissolved 26 December 1991).
    row("SUN", "Soviet Union", Some(365), Some("RUS"), Some(365), Some("SUN"), (1923, Some(1991)), &["USSR", "U.S.S.R.", "Union of Soviet Socialist Republics", "Russia (Soviet Union)"]),
    // The Russian Federation from 1992 (26 December 1991).
    row("RUS", "Russia", Some(365), Some("RUS"), Some(365), Some("RUS"), (1992, None), &["Russian Federation", "Russia (Soviet Union)"]),
    // The Kingdom of Serbia (COW counts it as Yugoslavia's 345; GW 340).
    row("SRB", "Serbia", Some(345), Some("YUG"), Some(340), Some("SRB"), (1878, Some(1918)), &["Kingdom of Serbia", "Serbia (Yugoslavia)"]),
    // ISO 3166-3 YUG (also for Serbia and Montenegro, 1992-2006). Founded 1 December 1918, ended 3 June 2006; years by the most-of-the-year rule.
    row("YUG", "Yugoslavia", Some(345), Some("YUG"), Some(345), Some("YUG"), (1919, Some(2005)), &["Serbia and Montenegro", "Federal Republic of Yugoslavia", "Kingdom of Yugoslavia", "Serbia (Yugoslavia)", "SFR Yugoslavia"]),
    // Serbia from 2006: COW keeps 345, GW 340.
    row("SRB", "Serbia", Some(345), Some("YUG"), Some(340), Some("SRB"), (2006, None), &["Republic of Serbia", "Serbia (Yugoslavia)"]),
    // UCDP keeps GW 345 for Serbia after 2006.
    row("SRB", "Serbia", None, None, Some(345), Some("SRB"), (2006, None), &[]),
    // COW 341 from 2006; GW 341 also 1868-1915.
    row("MNE", "Montenegro", Some(341), Some("MNG"), Some(341), Some("MNE"), (1868, None), &["Principality of Montenegro", "Kingdom of Montenegro"]),
    // North Yemen. Unified on 22 May 1990, so 1990 goes to YEM. "Yemen" before 1990 means North Yemen here.
    row("XYN", "Yemen Arab Republic", Some(678), Some("YAR"), Some(678), None, (1926, Some(1989)), &["North Yemen", "Yemen Arab Republic (North Yemen)", "Yemen (North Yemen)", "Yemen", "Yemen, North", "Yemen (Arab Republic of Yemen)"]),
    // Unified Yemen: COW 679, GW 678 (GW continues North Yemen's number).
    row("YEM", "Yemen", Some(679), Some("YEM"), Some(678), Some("YEM"), (1990, None), &["Republic of Yemen", "Yemen (North Yemen)", "Yemen (Arab Republic of Yemen)"]),
    // Pre-colonial Vietnam (GW 815 only).
    row("VNM", "Viet Nam", None, None, Some(815), Some("VNM"), (1816, Some(1893)), &["Vietnam", "Annam", "Vietnam (Annam/Cochin China/Tonkin)"]),
    // COW DRV 816: North Vietnam, then all of Vietnam from 1976.
    row("VNM", "Viet Nam", Some(816), Some("DRV"), Some(816), Some("VNM"), (1954, None), &["Vietnam", "North Vietnam", "Democratic Republic of Vietnam", "Vietnam, Democratic Republic of", "Vietnam (North Vietnam)", "Socialist Republic of Vietnam"]),
    // GW only.
    row("XUP", "United Provinces of Central America", None, None, Some(89), None, (1823, Some(1839)), &["Federal Republic of Central America"]),
    // GW only.
    row("XGC", "Great Colombia", None, None, Some(99), None, (1821, Some(1830)), &["Gran Colombia"]),
    // GW only.
    row("XTV", "Transvaal", None, None, Some(563), None, (1852, Some(1910)), &["South African Republic"]),
    // GW only.
    row("XOF", "Orange Free State", None, None, Some(564), None, (1854, Some(1910)), &[]),
    // GW only.
    row("XTB", "Tibet", None, None, Some(711), None, (1913, Some(1950)), &[]),
    // Secessionist state SIPRI lists as a recipient.
    row("XBF", "Biafra", None, None, None, None, (1967, Some(1970)), &["Republic of Biafra"]),
    // Secessionist state SIPRI lists as a recipient.
    row("XKT", "Katanga", None, None, None, None, (1960, Some(1963)), &["State of Katanga"]),
    // Recognised only by Türkiye; SIPRI lists it as a recipient.
    row("XNC", "Northern Cyprus", None, None, None, None, (1983, None), &["Turkish Republic of Northern Cyprus", "TRNC"]),
    row("HKG", "Hong Kong", None, None, None, Some("HKG"), (1816, None), &["Hong Kong SAR", "Hong Kong, China"]),
    row("MAC", "Macao", None, None, None, Some("MAC"), (1816, None), &["Macau", "Macao SAR"]),
    row("PSE", "Palestine", None, None, None, Some("PSE"), (1816, None), &["State of Palestine", "Palestinian Territories", "Palestinian territories", "West Bank and Gaza"]),
    row("PRI", "Puerto Rico", None, None, None, Some("PRI"), (1816, None), &[]),
    row("GRL", "Greenland", None, None, None, Some("GRL"), (1816, None), &[]),
    row("ESH", "Western Sahara", None, None, None, Some("ESH"), (1816, None), &["Sahrawi Arab Democratic Republic"]),
    row("VAT", "Holy See", None, None, None, Some("VAT"), (1816, None), &["Vatican", "Vatican City"]),
    row("ABW", "Aruba", None, None, None, Some("ABW"), (1816, None), &[]),
    row("CUW", "Curaçao", None, None, None, Some("CUW"), (1816, None), &["Curacao"]),
    row("SXM", "Sint Maarten", None, None, None, Some("SXM"), (1816, None), &[]),
    row("BES", "Bonaire, Sint Eustatius and Saba", None, None, None, Some("BES"), (1816, None), &[]),
    row("BMU", "Bermuda", None, None, None, Some("BMU"), (1816, None), &[]),
    row("CYM", "Cayman Islands", None, None, None, Some("CYM"), (1816, None), &[]),
    row("GIB", "Gibraltar", None, None, None, Some("GIB"), (1816, None), &[]),
    row("FRO", "Faroe Islands", None, None, None, Some("FRO"), (1816, None), &["Faroes"]),
    row("ALA", "Åland Islands", None, None, None, Some("ALA"), (1816, None), &["Aland Islands"]),
    row("IMN", "Isle of Man", None, None, None, Some("IMN"), (1816, None), &[]),
    row("JEY", "Jersey", None, None, None, Some("JEY"), (1816, None), &[]),
    row("GGY", "Guernsey", None, None, None, Some("GGY"), (1816, None), &[]),
    row("AIA", "Anguilla", None, None, None, Some("AIA"), (1816, None), &[]),
    row("MSR", "Montserrat", None, None, None, Some("MSR"), (1816, None), &[]),
    row("VGB", "British Virgin Islands", None, None, None, Some("VGB"), (1816, None), &["Virgin Islands, British"]),
    row("VIR", "United States Virgin Islands", None, None, None, Some("VIR"), (1816, None), &["US Virgin Islands", "Virgin Islands, U.S."]),
    row("TCA", "Turks and Caicos Islands", None, None, None, Some("TCA"), (1816, None), &[]),
    row("MTQ", "Martinique", None, None, None, Some("MTQ"), (1816, None), &[]),
    row("GLP", "Guadeloupe", None, None, None, Some("GLP"), (1816, None), &[]),
    row("GUF", "French Guiana", None, None, None, Some("GUF"), (1816, None), &[]),
    row("REU", "Réunion", None, None, None, Some("REU"), (1816, None), &["Reunion"]),
    row("MYT", "Mayotte", None, None, None, Some("MYT"), (1816, None), &[]),
    row("SPM", "Saint Pierre and Miquelon", None, None, None, Some("SPM"), (1816, None), &[]),
    row("BLM", "Saint Barthélemy", None, None, None, Some("BLM"), (1816, None), &["Saint Barthelemy"]),
    row("MAF", "Saint Martin", None, None, None, Some("MAF"), (1816, None), &["Saint Martin (French part)"]),
    row("GUM", "Guam", None, None, None, Some("GUM"), (1816, None), &[]),
    row("ASM", "American Samoa", None, None, None, Some("ASM"), (1816, None), &[]),
    row("MNP", "Northern Mariana Islands", None, None, None, Some("MNP"), (1816, None), &[]),
    row("UMI", "United States Minor Outlying Islands", None, None, None, Some("UMI"), (1816, None), &[]),
    row("NCL", "New Caledonia", None, None, None, Some("NCL"), (1816, None), &[]),
    row("PYF", "French Polynesia", None, None, None, Some("PYF"), (1816, None), &[]),
    row("WLF", "Wallis and Futuna", None, None, None, Some("WLF"), (1816, None), &[]),
    row("COK", "Cook Islands", None, None, None, Some("COK"), (1816, None), &[]),
    row("NIU", "Niue", None, None, None, Some("NIU"), (1816, None), &[]),
    row("TKL", "Tokelau", None, None, None, Some("TKL"), (1816, None), &[]),
    row("PCN", "Pitcairn", None, None, None, Some("PCN"), (1816, None), &["Pitcairn Islands"]),
    row("NFK", "Norfolk Island", None, None, None, Some("NFK"), (1816, None), &[]),
    row("CXR", "Christmas Island", None, None, None, Some("CXR"), (1816, None), &[]),
    row("CCK", "Cocos (Keeling) Islands", None, None, None, Some("CCK"), (1816, None), &["Cocos Islands"]),
    row("FLK", "Falkland Islands", None, None, None, Some("FLK"), (1816, None), &["Falklands", "Malvinas", "Falkland Islands (Malvinas)"]),
    row("SGS", "South Georgia and the South Sandwich Islands", None, None, None, Some("SGS"), (1816, None), &[]),
    row("SHN", "Saint Helena, Ascension and Tristan da Cunha", None, None, None, Some("SHN"), (1816, None), &["Saint Helena"]),
    row("IOT", "British Indian Ocean Territory", None, None, None, Some("IOT"), (1816, None), &["Chagos Islands"]),
    row("ATF", "French Southern Territories", None, None, None, Some("ATF"), (1816, None), &[]),
    row("HMD", "Heard Island and McDonald Islands", None, None, None, Some("HMD"), (1816, None), &[]),
    row("BVT", "Bouvet Island", None, None, None, Some("BVT"), (1816, None), &[]),
    row("SJM", "Svalbard and Jan Mayen", None, None, None, Some("SJM"), (1816, None), &[]),
    row("ATA", "Antarctica", None, None, None, Some("ATA"), (1816, None), &[]),
];
