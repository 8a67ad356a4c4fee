//! `decode::to_message`: any input proflens reads to its raw profile.proto
//! message, the symbolizer's input.

use proflens_core::decode::{decode, to_message};
use proflens_core::proto;
use proflens_core::{DecodeOptions, Error};
use prost::Message;

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn protobuf_comes_back_decompressed_and_unchanged() {
    let gz = fixture("go/heap1.pb.gz");
    let raw = to_message(&gz, &DecodeOptions::default()).unwrap();
    assert!(!proflens_core::decode::is_gzip(&raw));
    let message = proto::Profile::decode(&raw[..]).unwrap();
    let model = decode(&gz, &DecodeOptions::default()).unwrap();
    assert_eq!(message.sample.len(), model.samples.len());
    assert_eq!(message.function.len(), model.functions.len());
    // Raw input is returned as it is, and compressing it changes nothing.
    assert_eq!(to_message(&raw, &DecodeOptions::default()).unwrap(), raw);
    let again = proflens_core::encode::gzip(&raw);
    assert_eq!(to_message(&again, &DecodeOptions::default()).unwrap(), raw);
}

#[test]
fn go_debug1_text_keeps_addresses_only() {
    let text = fixture("go/capture/goroutine.debug1.txt");
    let message = proto::Profile::decode(&to_message(&text, &DecodeOptions::default()).unwrap()[..]).unwrap();
    assert!(!message.location.is_empty());
    assert!(message.location.iter().all(|l| l.address != 0 && l.line.is_empty()), "no location is named");
    assert!(message.function.is_empty());
    // The same text decoded for the page is named from its comment lines,
    // with the same samples.
    let named = decode(&text, &DecodeOptions::default()).unwrap();
    assert!(named.functions.len() > 10);
    let total = |p: &proto::Profile| p.sample.iter().map(|s| s.value[0]).sum::<i64>();
    assert_eq!(total(&message), 72, "goroutine profile: total 72");
}

#[test]
fn bad_input_is_an_error() {
    assert!(matches!(to_message(b"", &DecodeOptions::default()), Err(Error::Empty)));
    let mut gz = fixture("go/heap1.pb.gz");
    gz.truncate(gz.len() / 2);
    assert!(to_message(&gz, &DecodeOptions::default()).is_err());
}
