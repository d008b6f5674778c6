//! The few PDF objects clu reads and writes around a signature: a parser
//! of the object syntax (no streams decoded, nesting bounded) and a
//! writer.

/// A PDF object, strings kept as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    /// A real number, as written.
    Real(String),
    /// A name, without its slash, as written.
    Name(Vec<u8>),
    /// A literal string's bytes between the parentheses, as written.
    Literal(Vec<u8>),
    /// A hexadecimal string's digits, as written.
    Hex(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Vec<(Vec<u8>, Obj)>),
    Ref(u32, u16),
}

const MAX_DEPTH: usize = 32;

impl Obj {
    pub fn get(&self, key: &[u8]) -> Option<&Obj> {
        match self {
            Obj::Dict(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Obj> {
        match self {
            Obj::Dict(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key` (a dictionary's), replacing its value.
    pub fn set(&mut self, key: &[u8], value: Obj) {
        if let Obj::Dict(entries) = self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key.to_vec(), value)),
            }
        }
    }

    pub fn as_ref(&self) -> Option<u32> {
        match self {
            Obj::Ref(n, _) => Some(*n),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// A string's bytes, decoded (literal escapes or hex digits).
    pub fn string_bytes(&self) -> Option<Vec<u8>> {
        match self {
            Obj::Hex(digits) => Some(decode_hex(digits)),
            Obj::Literal(raw) => Some(unescape(raw)),
            _ => None,
        }
    }

    /// A text string (UTF-16BE with its mark, or PDFDocEncoding read as
    /// Latin-1), as Rust text.
    pub fn text(&self) -> Option<String> {
        let bytes = self.string_bytes()?;
        Some(match bytes.strip_prefix(&[0xfe, 0xff]) {
            Some(utf16) => {
                let units: Vec<u16> = utf16
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            None => bytes.iter().map(|b| char::from(*b)).collect(),
        })
    }

    /// A text string written as UTF-16BE hex, which every reader accepts
    /// for accented text.
    pub fn text_of(text: &str) -> Obj {
        let mut digits = b"FEFF".to_vec();
        for unit in text.encode_utf16() {
            digits.extend_from_slice(format!("{unit:04X}").as_bytes());
        }
        Obj::Hex(digits)
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Obj::Null => out.extend_from_slice(b"null"),
            Obj::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Obj::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Obj::Real(text) => out.extend_from_slice(text.as_bytes()),
            Obj::Name(name) => {
                out.push(b'/');
                out.extend_from_slice(name);
            }
            Obj::Literal(raw) => {
                out.push(b'(');
                out.extend_from_slice(raw);
                out.push(b')');
            }
            Obj::Hex(digits) => {
                out.push(b'<');
                out.extend_from_slice(digits);
                out.push(b'>');
            }
            Obj::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Obj::Dict(entries) => {
                out.extend_from_slice(b"<<");
                for (key, value) in entries {
                    out.push(b'/');
                    out.extend_from_slice(key);
                    out.push(b' ');
                    value.write(out);
                }
                out.extend_from_slice(b">>");
            }
            Obj::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
        }
    }
}

pub fn decode_hex(digits: &[u8]) -> Vec<u8> {
    let nibbles: Vec<u8> = digits
        .iter()
        .filter_map(|d| (*d as char).to_digit(16))
        .map(|d| d as u8)
        .collect();
    nibbles
        .chunks(2)
        .map(|pair| (pair[0] << 4) | pair.get(1).copied().unwrap_or(0))
        .collect()
}

fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if b != b'\\' || i >= raw.len() {
            out.push(b);
            continue;
        }
        let e = raw[i];
        i += 1;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            b'\n' => {}
            b'\r' => {
                if raw.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | 0 | 12)
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// A reader of PDF syntax over some bytes.
pub struct Parser<'a> {
    bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Parser<'a> {
    pub fn new(bytes: &'a [u8], pos: usize) -> Self {
        Self { bytes, pos }
    }

    pub fn skip_space(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self
                    .bytes
                    .get(self.pos)
                    .is_some_and(|b| *b != b'\n' && *b != b'\r')
                {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A bare word (keyword or number).
    pub fn word(&mut self) -> &'a [u8] {
        self.skip_space();
        self.regular()
    }

    /// The regular characters from here (a word, a name's).
    fn regular(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| !is_white(*b) && !is_delimiter(*b))
        {
            self.pos += 1;
        }
        &self.bytes[start..self.pos]
    }

    pub fn expect(&mut self, keyword: &[u8]) -> Result<(), String> {
        if self.word() == keyword {
            Ok(())
        } else {
            Err(format!("« {} » attendu", String::from_utf8_lossy(keyword)))
        }
    }

    pub fn object(&mut self) -> Result<Obj, String> {
        self.value(0)
    }

    fn value(&mut self, depth: usize) -> Result<Obj, String> {
        if depth > MAX_DEPTH {
            return Err("objets PDF trop imbriqués".into());
        }
        self.skip_space();
        let rest = &self.bytes[self.pos.min(self.bytes.len())..];
        match rest.first() {
            None => Err("fin du fichier inattendue".into()),
            Some(b'/') => {
                self.pos += 1;
                Ok(Obj::Name(self.regular().to_vec()))
            }
            Some(b'<') if rest.get(1) == Some(&b'<') => {
                self.pos += 2;
                let mut entries = Vec::new();
                loop {
                    self.skip_space();
                    if self.bytes[self.pos.min(self.bytes.len())..].starts_with(b">>") {
                        self.pos += 2;
                        return Ok(Obj::Dict(entries));
                    }
                    let Obj::Name(key) = self.value(depth + 1)? else {
                        return Err("clé de dictionnaire attendue".into());
                    };
                    let value = self.value(depth + 1)?;
                    entries.push((key, value));
                }
            }
            Some(b'<') => {
                let start = self.pos + 1;
                let end = rest
                    .iter()
                    .position(|b| *b == b'>')
                    .ok_or("chaîne hexadécimale non terminée")?;
                self.pos += end + 1;
                Ok(Obj::Hex(self.bytes[start..self.pos - 1].to_vec()))
            }
            Some(b'(') => {
                let (mut level, mut i) = (0usize, 0usize);
                loop {
                    match rest.get(i) {
                        None => return Err("chaîne non terminée".into()),
                        Some(b'\\') => i += 1,
                        Some(b'(') => level += 1,
                        Some(b')') => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                let raw = rest[1..i].to_vec();
                self.pos += i + 1;
                Ok(Obj::Literal(raw))
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if self.bytes.get(self.pos) == Some(&b']') {
                        self.pos += 1;
                        return Ok(Obj::Array(items));
                    }
                    items.push(self.value(depth + 1)?);
                }
            }
            Some(_) => self.scalar(),
        }
    }

    /// A number, a reference (`12 0 R`), a boolean or null.
    fn scalar(&mut self) -> Result<Obj, String> {
        let word = self.word();
        match word {
            b"true" => return Ok(Obj::Bool(true)),
            b"false" => return Ok(Obj::Bool(false)),
            b"null" => return Ok(Obj::Null),
            b"" => return Err("objet PDF illisible".into()),
            _ => {}
        }
        let text = std::str::from_utf8(word).map_err(|_| "nombre illisible")?;
        let Ok(n) = text.parse::<i64>() else {
            return if text.parse::<f64>().is_ok() {
                Ok(Obj::Real(text.to_owned()))
            } else {
                Err(format!("objet PDF illisible ({text})"))
            };
        };
        // `n g R`?
        let save = self.pos;
        let generation = self.word();
        if let Ok(g) = std::str::from_utf8(generation).unwrap_or("").parse::<u16>()
            && self.word() == b"R"
            && let Ok(num) = u32::try_from(n)
        {
            return Ok(Obj::Ref(num, g));
        }
        self.pos = save;
        Ok(Obj::Int(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_read_back_as_written() {
        let text =
            b"<</Type/Page/Kids[1 0 R 2 0 R]/N -3/R 0.5/S(a\\)b (c))/H<FEFF0041>/B true/Z null>>";
        let obj = Parser::new(text, 0).object().expect("parses");
        let mut out = Vec::new();
        obj.write(&mut out);
        let again = Parser::new(&out, 0).object().expect("parses again");
        assert_eq!(obj, again);
        assert_eq!(
            obj.get(b"Kids"),
            Some(&Obj::Array(vec![Obj::Ref(1, 0), Obj::Ref(2, 0)]))
        );
        assert_eq!(obj.get(b"N"), Some(&Obj::Int(-3)));
        assert_eq!(
            obj.get(b"S").and_then(Obj::string_bytes),
            Some(b"a)b (c)".to_vec())
        );
        assert_eq!(obj.get(b"H").and_then(Obj::text).as_deref(), Some("A"));
        assert_eq!(Obj::text_of("é").text().as_deref(), Some("é"));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = "[".repeat(100_000);
        assert!(Parser::new(text.as_bytes(), 0).object().is_err());
        assert!(Parser::new(b"(never closed", 0).object().is_err());
        assert!(Parser::new(b"<</A", 0).object().is_err());
    }
}
