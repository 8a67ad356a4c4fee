//! Reading the fields of a protobuf message held in memory (a sample, a
//! location, a label), for the messages decoded by hand: their repeated
//! fields go straight into the profile's tables instead of through a
//! generated struct, so a flood of tiny elements costs no more memory than
//! the elements themselves.

use prost::DecodeError;

/// Reads a varint from the front of `rest`. Every well-formed varint that
/// ends within its first nine bytes is read here, a byte at a time; the
/// rest (ten-byte varints, truncated or overlong ones) go to prost, so the
/// values and the error messages are prost's. Packed location ids make
/// this the decoder's innermost loop, and prost's reader is a few calls
/// deep in the page's opt-level "z" build.
#[inline(always)]
fn decode_varint(rest: &mut &[u8]) -> Result<u64, DecodeError> {
    let bytes = *rest;
    let mut value = 0u64;
    // A plain loop: iterator adapters stay calls at opt-level "z".
    let mut i = 0;
    while i < bytes.len().min(9) {
        let b = bytes[i];
        value |= u64::from(b & 0x7f) << (7 * i);
        i += 1;
        if b < 0x80 {
            *rest = &bytes[i..];
            return Ok(value);
        }
    }
    prost::encoding::decode_varint(rest)
}

/// A field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 2: a nested message, a string or a packed repeated field.
    Bytes(&'a [u8]),
    /// Wire types 1 and 5 (fixed 64 and 32 bits), which profile.proto does
    /// not use; skipped.
    Fixed,
}

/// The fields of a message, in order: (field number, value).
pub(crate) struct Fields<'a> {
    rest: &'a [u8],
}

/// Reads the fields of `message`.
pub(crate) fn fields(message: &[u8]) -> Fields<'_> {
    Fields { rest: message }
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: u64) -> Result<&'a [u8], String> {
        if n > self.rest.len() as u64 {
            return Err(format!("a field claims {n} bytes, but only {} remain", self.rest.len()));
        }
        let (head, tail) = self.rest.split_at(n as usize);
        self.rest = tail;
        Ok(head)
    }

    fn next_field(&mut self) -> Result<(u64, Value<'a>), String> {
        let key = decode_varint(&mut self.rest).map_err(|e| e.to_string())?;
        let field = key >> 3;
        if field == 0 {
            return Err("field number 0 is invalid".into());
        }
        let value = match key & 7 {
            0 => Value::Varint(decode_varint(&mut self.rest).map_err(|e| e.to_string())?),
            1 => {
                self.take(8)?;
                Value::Fixed
            }
            2 => {
                let len = decode_varint(&mut self.rest).map_err(|e| e.to_string())?;
                Value::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Value::Fixed
            }
            other => return Err(format!("unknown wire type {other} for field {field}")),
        };
        Ok((field, value))
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Value<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let item = self.next_field();
        if item.is_err() {
            // One error ends the message.
            self.rest = &[];
        }
        Some(item)
    }
}

/// Calls `each` with every varint of a repeated scalar field: one value
/// (unpacked) or a packed run.
pub(crate) fn repeated_varints(
    value: Value<'_>,
    what: &str,
    mut each: impl FnMut(u64) -> Result<(), crate::error::Error>,
) -> Result<(), RepeatedError> {
    match value {
        Value::Varint(v) => each(v).map_err(RepeatedError::Stop),
        Value::Bytes(mut packed) => {
            while !packed.is_empty() {
                let v = decode_varint(&mut packed)
                    .map_err(|e| RepeatedError::Malformed(format!("{what}: {e}")))?;
                each(v).map_err(RepeatedError::Stop)?;
            }
            Ok(())
        }
        Value::Fixed => Err(RepeatedError::Malformed(format!("{what} has a fixed-size wire type"))),
    }
}

/// Why reading a repeated field stopped.
#[derive(Debug)]
pub(crate) enum RepeatedError {
    /// The bytes are not protobuf.
    Malformed(String),
    /// The callback refused a value.
    Stop(crate::error::Error),
}

/// A scalar field's varint, or why the field is not one.
pub(crate) fn varint(value: Value<'_>, what: &str) -> Result<u64, String> {
    match value {
        Value::Varint(v) => Ok(v),
        _ => Err(format!("{what} has the wrong wire type")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_wire_type() {
        // 1: varint 300; 2: bytes "ab"; 3: fixed64; 4: fixed32.
        let msg = [0x08, 0xac, 0x02, 0x12, 2, b'a', b'b', 0x19, 0, 0, 0, 0, 0, 0, 0, 0, 0x25, 0, 0, 0, 0];
        let got: Vec<_> = fields(&msg).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            got,
            [(1, Value::Varint(300)), (2, Value::Bytes(b"ab")), (3, Value::Fixed), (4, Value::Fixed)]
        );
    }

    #[test]
    fn malformed_messages_are_errors() {
        for msg in [&[0x12, 5, b'a'][..], &[0x08][..], &[0x0b][..], &[0x00][..], &[0x80; 11][..]] {
            let results: Vec<_> = fields(msg).collect();
            assert!(results.last().unwrap().is_err(), "{msg:?}: {results:?}");
        }
    }

    #[test]
    fn varints_read_as_prost_reads_them() {
        let mut cases: Vec<Vec<u8>> = vec![vec![], vec![0x80], vec![0xff; 9], vec![0xff; 10], vec![0xff; 11]];
        for v in [0u64, 1, 127, 128, 300, 1 << 21, (1 << 56) - 1, 1 << 56, 1 << 63, u64::MAX] {
            let mut b = Vec::new();
            prost::encoding::encode_varint(v, &mut b);
            b.push(0x2a);
            cases.push(b);
        }
        let mut ten = vec![0xff; 9];
        ten.push(0x02);
        cases.push(ten);
        for case in &cases {
            let (mut ours, mut theirs) = (&case[..], &case[..]);
            let got = decode_varint(&mut ours).map_err(|e| e.to_string());
            let want = prost::encoding::decode_varint(&mut theirs).map_err(|e| e.to_string());
            assert_eq!(got, want, "{case:x?}");
            if want.is_ok() {
                assert_eq!(ours, theirs, "{case:x?}");
            }
        }
    }

    #[test]
    fn repeated_fields_packed_or_not() {
        let mut got = Vec::new();
        repeated_varints(Value::Bytes(&[1, 0xac, 0x02, 3]), "ids", |v| {
            got.push(v);
            Ok(())
        })
        .unwrap();
        repeated_varints(Value::Varint(7), "ids", |v| {
            got.push(v);
            Ok(())
        })
        .unwrap();
        assert_eq!(got, [1, 300, 3, 7]);
        assert!(repeated_varints(Value::Bytes(&[0x80]), "ids", |_| Ok(())).is_err());
    }
}
