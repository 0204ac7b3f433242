//! Which site a document belongs to: one definition for dedupe's site model (its groups) and
//! export's per-site figures and `site` column, so that both name a site the same way.

/// The host of a URL, lowercased, without scheme, user info, port, brackets, a trailing dot or
/// a leading `www.`; `None` when there is none or it is not a plausible host (empty, or with
/// whitespace).
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host.starts_with('[') {
        host.split_once(']')
            .map_or(host, |(h, _)| h)
            .trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or(host)
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").map(str::to_owned).unwrap_or(host);
    (!host.is_empty() && !host.contains(char::is_whitespace)).then_some(host)
}

/// The first directory of a document id (`bolnews.com/2023/x` → `bolnews.com`), if any.
pub fn id_dir(id: &str) -> Option<&str> {
    id.split_once('/')
        .map(|(dir, _)| dir)
        .filter(|d| !d.is_empty())
}

/// The site of a document: the host of its URL when it has one, else the first directory of
/// its id (the path under the input root), else the empty string (no site).
pub fn site_of(id: &str, url: Option<&str>) -> String {
    url.and_then(url_host)
        .or_else(|| id_dir(id).map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            url_host("https://www.BolNews.com:443/a/b?x").as_deref(),
            Some("bolnews.com")
        );
        assert_eq!(
            url_host("http://user@news.example.org/").as_deref(),
            Some("news.example.org")
        );
        assert_eq!(url_host("example.com/x").as_deref(), Some("example.com"));
        assert_eq!(url_host("https:///x"), None);
        assert_eq!(url_host("not a url"), None);
        assert_eq!(url_host("http://[::1]:80/").as_deref(), Some("::1"));
        assert_eq!(
            url_host("http://example.com./").as_deref(),
            Some("example.com")
        );
    }

    #[test]
    fn sites() {
        assert_eq!(site_of("d/x", Some("https://www.a.com/x")), "a.com");
        assert_eq!(site_of("d/x", None), "d");
        assert_eq!(site_of("d/x", Some("not a url")), "d");
        assert_eq!(site_of("x", None), "");
        assert_eq!(site_of("/x", None), "");
    }
}
