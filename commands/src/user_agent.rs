//! What a user agent says about the client: a bot, or a device class, a browser and its version,
//! and an operating system and its version — read once at ingestion and kept in the event, so a
//! replay never depends on this code's version.
//!
//! Versions are `major.minor` (`120.0`, `10.15`, `17.4`); an operating system or browser whose
//! version the string does not carry has `""`. Unrecognised browsers are `Other`, unrecognised
//! systems `Other`; an absent user agent is `unknown` throughout.

/// A client's user agent, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Client {
    Bot,
    Human(Agent),
}

/// A human client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// `desktop`, `mobile`, `tablet` or `unknown`.
    pub device: &'static str,
    pub browser: &'static str,
    pub browser_version: String,
    /// `Windows`, `macOS`, `iOS`, `iPadOS`, `Android`, `Chrome OS`, `Linux`, `Other`, `unknown`.
    pub os: &'static str,
    pub os_version: String,
}

impl Agent {
    fn unknown() -> Agent {
        Agent {
            device: "unknown",
            browser: "unknown",
            browser_version: String::new(),
            os: "unknown",
            os_version: String::new(),
        }
    }
}

const BOTS: [&str; 16] = [
    "bot",
    "crawler",
    "spider",
    "slurp",
    "headless",
    "lighthouse",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "go-http-client",
    "java/",
    "httpclient",
    "facebookexternalhit",
    "preview",
    "scrapy",
];

/// `major.minor` of the version that follows `token` (`Chrome/` → `120.0` of `120.0.6099.71`);
/// `sep` separates its parts (`_` in Apple's system versions). A bare major gets `.0`.
fn version_after(ua: &str, token: &str, sep: char) -> Option<String> {
    let rest = &ua[ua.find(token)? + token.len()..];
    let raw: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == sep)
        .collect();
    let mut parts = raw.split(sep).filter(|p| !p.is_empty());
    let major = parts.next()?;
    let minor = parts.next().unwrap_or("0");
    Some(format!("{major}.{minor}"))
}

fn browser(ua: &str) -> (&'static str, String) {
    // The order matters: Edge and Opera say Chrome too, Chrome says Safari.
    const TOKENS: [(&str, &[&str]); 7] = [
        ("Edge", &["Edg/", "EdgA/", "EdgiOS/", "Edge/"]),
        ("Opera", &["OPR/", "OPT/", "Opera/"]),
        ("Samsung Internet", &["SamsungBrowser/"]),
        ("Firefox", &["Firefox/", "FxiOS/"]),
        ("Chrome", &["CriOS/", "Chrome/", "Chromium/"]),
        ("Safari", &[]),
        ("Internet Explorer", &["MSIE ", "rv:"]),
    ];
    for (name, tokens) in TOKENS {
        let version = match name {
            "Safari" if ua.contains("Safari/") && ua.contains("Version/") => {
                Some(version_after(ua, "Version/", '.').unwrap_or_default())
            }
            "Internet Explorer" if ua.contains("MSIE ") || ua.contains("Trident/") => Some(
                version_after(ua, "MSIE ", '.')
                    .or_else(|| version_after(ua, "rv:", '.'))
                    .unwrap_or_default(),
            ),
            "Safari" | "Internet Explorer" => None,
            _ => tokens
                .iter()
                .find(|t| ua.contains(**t))
                .map(|t| version_after(ua, t, '.').unwrap_or_default()),
        };
        if let Some(v) = version {
            return (name, v);
        }
    }
    ("Other", String::new())
}

fn os(ua: &str) -> (&'static str, String) {
    if let Some(v) = version_after(ua, "Windows NT ", '.') {
        let name = match v.as_str() {
            "10.0" => "10",
            "6.3" => "8.1",
            "6.2" => "8",
            "6.1" => "7",
            "6.0" => "Vista",
            "5.1" | "5.2" => "XP",
            _ => "",
        };
        return ("Windows", name.to_string());
    }
    if ua.contains("Windows") {
        return ("Windows", String::new());
    }
    if ua.contains("iPad") {
        return ("iPadOS", version_after(ua, "OS ", '_').unwrap_or_default());
    }
    if ua.contains("iPhone") || ua.contains("iPod") {
        return (
            "iOS",
            version_after(ua, "iPhone OS ", '_')
                .or_else(|| version_after(ua, "CPU OS ", '_'))
                .unwrap_or_default(),
        );
    }
    if ua.contains("Android") {
        return (
            "Android",
            version_after(ua, "Android ", '.').unwrap_or_default(),
        );
    }
    if ua.contains("CrOS") {
        return ("Chrome OS", String::new());
    }
    if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        let v = version_after(ua, "Mac OS X ", '_')
            .or_else(|| version_after(ua, "Mac OS X ", '.'))
            .unwrap_or_default();
        return ("macOS", v);
    }
    if ua.contains("Linux") || ua.contains("X11") {
        return ("Linux", String::new());
    }
    ("Other", String::new())
}

/// Classifies a user agent (`None` or blank: everything `unknown`).
pub fn classify(ua: Option<&str>) -> Client {
    let Some(ua) = ua.map(str::trim).filter(|u| !u.is_empty()) else {
        return Client::Human(Agent::unknown());
    };
    let lower = ua.to_ascii_lowercase();
    if BOTS.iter().any(|b| lower.contains(b)) {
        return Client::Bot;
    }
    let (browser, browser_version) = browser(ua);
    let (os, os_version) = os(ua);
    let device = if ua.contains("iPad")
        || lower.contains("tablet")
        || (ua.contains("Android") && !ua.contains("Mobile"))
    {
        "tablet"
    } else if ua.contains("Mobi") || ua.contains("iPhone") || ua.contains("Android") {
        "mobile"
    } else {
        "desktop"
    };
    Client::Human(Agent {
        device,
        browser,
        browser_version,
        os,
        os_version,
    })
}

/// The class of a screen (the viewport's width in CSS pixels), as Plausible draws the lines:
/// `Mobile` below 576, `Tablet` below 992, `Laptop` below 1440, else `Desktop`.
pub fn screen_class(width: u32) -> &'static str {
    match width {
        0..=575 => "Mobile",
        576..=991 => "Tablet",
        992..=1439 => "Laptop",
        _ => "Desktop",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(ua: &str) -> (&'static str, &'static str, String, &'static str, String) {
        match classify(Some(ua)) {
            Client::Human(a) => (a.device, a.browser, a.browser_version, a.os, a.os_version),
            Client::Bot => panic!("{ua} is not a bot"),
        }
    }

    #[test]
    fn browsers_systems_and_their_versions_are_read() {
        type Expected<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);
        let cases: [(&str, Expected); 9] = [
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
             ("desktop", "Edge", "120.0", "Windows", "10")),
            ("Mozilla/5.0 (Linux; Android 14; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Safari/537.36",
             ("tablet", "Chrome", "120.0", "Android", "14.0")),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
             ("desktop", "Firefox", "121.0", "Linux", "")),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
             ("mobile", "Safari", "17.4", "iOS", "17.4")),
            ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/119.0.6045.169 Mobile/15E148 Safari/604.1",
             ("tablet", "Chrome", "119.0", "iPadOS", "16.6")),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
             ("desktop", "Safari", "17.2", "macOS", "10.15")),
            ("Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko",
             ("desktop", "Internet Explorer", "11.0", "Windows", "7")),
            ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
             ("desktop", "Opera", "106.0", "Chrome OS", "")),
            ("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
             ("mobile", "Samsung Internet", "23.0", "Android", "13.0")),
        ];
        for (ua, (device, browser, bv, os, ov)) in cases {
            assert_eq!(
                agent(ua),
                (device, browser, bv.to_string(), os, ov.to_string()),
                "{ua}"
            );
        }
        assert_eq!(
            agent("SomethingElse/1"),
            ("desktop", "Other", String::new(), "Other", String::new())
        );
    }

    #[test]
    fn bots_and_absent_agents() {
        assert_eq!(classify(Some("curl/8.5.0")), Client::Bot);
        assert_eq!(
            classify(Some("Mozilla/5.0 (compatible; Googlebot/2.1)")),
            Client::Bot
        );
        assert_eq!(classify(None), Client::Human(Agent::unknown()));
        assert_eq!(classify(Some("  ")), Client::Human(Agent::unknown()));
    }

    #[test]
    fn screens_are_classed_at_plausibles_lines() {
        let classes: Vec<_> = [0, 575, 576, 991, 992, 1439, 1440, 5000]
            .into_iter()
            .map(screen_class)
            .collect();
        assert_eq!(
            classes,
            ["Mobile", "Mobile", "Tablet", "Tablet", "Laptop", "Laptop", "Desktop", "Desktop"]
        );
    }
}
