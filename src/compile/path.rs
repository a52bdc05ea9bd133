//! Property path strings: `VAR.elem.elem…`, with `'…'` quoting (`''` is one quote).

use crate::value::Str;

/// Splits the part of a path after `VAR.` into property names.
/// `Err` carries the byte offset (within `rest`) of an unbalanced quote.
pub fn split_steps(rest: &str) -> Result<Vec<Str>, usize> {
    let mut steps = Vec::new();
    if rest.is_empty() {
        return Ok(steps);
    }
    let b = rest.as_bytes();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'\'') {
            let open = i;
            let mut name = String::new();
            i += 1;
            loop {
                match rest[i..].find('\'') {
                    None => return Err(open),
                    Some(q) => {
                        name.push_str(&rest[i..i + q]);
                        i += q + 1;
                        if b.get(i) == Some(&b'\'') {
                            name.push('\'');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            match b.get(i) {
                None => {
                    steps.push(Str::from(name));
                    return Ok(steps);
                }
                Some(b'.') => {
                    steps.push(Str::from(name));
                    i += 1;
                }
                Some(_) => return Err(open),
            }
        } else {
            match rest[i..].find('.') {
                None => {
                    steps.push(Str::from(&rest[i..]));
                    return Ok(steps);
                }
                Some(dot) => {
                    steps.push(Str::from(&rest[i..i + dot]));
                    i += dot + 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_steps;

    fn steps(s: &str) -> Vec<String> {
        split_steps(s).unwrap().iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn plain_and_quoted_elements() {
        assert_eq!(steps("a.b"), ["a", "b"]);
        assert_eq!(steps(""), Vec::<String>::new());
        assert_eq!(steps("foo.'john.doe''s'.bar"), ["foo", "john.doe's", "bar"]);
        assert_eq!(steps("'a.b'"), ["a.b"]);
        assert_eq!(steps("it's"), ["it's"]);
    }

    #[test]
    fn unbalanced_quotes_are_errors() {
        assert_eq!(split_steps("foo.'bar"), Err(4));
        assert_eq!(split_steps("'a'b"), Err(0));
    }
}
