//! Wildcard patterns for `copy` and `remove`: `*` matches any run of characters,
//! `?` exactly one; a pattern must match the whole name.

/// Whether `name` matches `pattern`.
pub fn matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == name;
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matching with backtracking to the last `*`: linear in practice.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards_match_whole_names() {
        assert!(matches("*", "anything"));
        assert!(matches("*", ""));
        assert!(matches("temp_*", "temp_c"));
        assert!(!matches("temp_*", "xtemp_c"));
        assert!(matches("a?", "ab"));
        assert!(!matches("a?", "abc"));
        assert!(matches("x*:*e", "x:age"));
        assert!(!matches("x*:*e", "age"));
        assert!(matches("*y*:*e", "xyz:age"));
        assert!(matches("a*b*c", "aXbYbZc"));
        assert!(!matches("a*b*c", "aXbYbZ"));
    }
}
