//! Event streams end to end: S3 SelectObjectContent against moto (`moto[server]==5.2.5`,
//! started on 127.0.0.1 by `integration_tests::moto`). The response is an
//! `application/vnd.amazon.eventstream` body; the generated client hands it over as an
//! `EventReceiver` of typed `SelectObjectContentEventStream` events: `Records` (the selected
//! rows, CSV or JSON), `Stats` (bytes scanned, processed, returned) and `End`.

use integration_tests::moto::{unique_name, MotoServer};
use s3::types::{
    CsvInput, CsvOutput, ExpressionType, FileHeaderInfo, InputSerialization, JsonInput, JsonOutput,
    JsonType, OutputSerialization, SelectObjectContentEventStream,
};

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required for these tests: {e}"))
}

fn bucket_name() -> String {
    unique_name("select").to_ascii_lowercase().replace('_', "-")
}

/// What one SelectObjectContent stream delivered.
#[derive(Debug, Default)]
struct Delivered {
    records: Vec<u8>,
    stats: Vec<(Option<i64>, Option<i64>, Option<i64>)>,
    ends: usize,
    others: usize,
    /// Kinds in arrival order (`R`, `S`, `P`, `C`, `E`).
    order: String,
}

async fn drain(
    mut out: s3::operation::select_object_content::SelectObjectContentOutput,
) -> Delivered {
    let mut d = Delivered::default();
    while let Some(event) = out.payload.recv().await.expect("a readable event") {
        match event {
            SelectObjectContentEventStream::Records(r) => {
                d.order.push('R');
                d.records
                    .extend_from_slice(r.payload().map(|b| b.as_ref()).unwrap_or_default());
            }
            SelectObjectContentEventStream::Stats(s) => {
                d.order.push('S');
                let st = s.details().expect("Stats carries its details");
                d.stats.push((
                    st.bytes_scanned(),
                    st.bytes_processed(),
                    st.bytes_returned(),
                ));
            }
            SelectObjectContentEventStream::End(_) => {
                d.order.push('E');
                d.ends += 1;
            }
            _ => d.others += 1,
        }
    }
    // The stream is over: it stays over.
    assert!(out.payload.recv().await.unwrap().is_none());
    d
}

const CSV: &str = "name,city,age\nada,london,36\nalan,wilmslow,41\ngrace,arlington,85\n";

#[tokio::test]
async fn select_csv_records_stats_and_end() {
    let client = s3::Client::new(&moto().config());
    let bucket = bucket_name();
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    client
        .put_object()
        .bucket(&bucket)
        .key("people.csv")
        .body(CSV.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    let out = client
        .select_object_content()
        .bucket(&bucket)
        .key("people.csv")
        .expression("SELECT * FROM S3Object s")
        .expression_type(ExpressionType::Sql)
        .input_serialization(
            InputSerialization::builder()
                .csv(
                    CsvInput::builder()
                        .file_header_info(FileHeaderInfo::Use)
                        .build(),
                )
                .build(),
        )
        .output_serialization(
            OutputSerialization::builder()
                .csv(CsvOutput::builder().build())
                .build(),
        )
        .send()
        .await
        .expect("SelectObjectContent");
    let d = drain(out).await;
    let text = String::from_utf8(d.records.clone()).expect("CSV records are text");
    for row in ["ada,london,36", "alan,wilmslow,41", "grace,arlington,85"] {
        assert!(text.contains(row), "row {row:?} missing from {text:?}");
    }
    assert!(
        !text.contains("name,city"),
        "the header row is not a record: {text:?}"
    );
    assert_eq!(d.ends, 1, "{d:?}");
    assert!(d.order.ends_with('E'), "End comes last: {}", d.order);
    assert!(d.order.starts_with('R'), "records first: {}", d.order);
    assert_eq!(d.stats.len(), 1, "{d:?}");
    let (scanned, processed, returned) = d.stats[0];
    // moto counts the bytes of its JSON rendering of the CSV as scanned.
    assert!(scanned.is_some_and(|n| n > 0), "{d:?}");
    assert_eq!(processed, scanned, "{d:?}");
    assert_eq!(returned, Some(d.records.len() as i64), "{d:?}");
    assert_eq!(d.others, 0);
}

#[tokio::test]
async fn select_json_lines_with_a_filter() {
    let client = s3::Client::new(&moto().config());
    let bucket = bucket_name();
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let lines = "{\"name\":\"ada\",\"age\":36}\n{\"name\":\"alan\",\"age\":41}\n{\"name\":\"grace\",\"age\":85}\n";
    client
        .put_object()
        .bucket(&bucket)
        .key("people.json")
        .body(lines.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    let out = client
        .select_object_content()
        .bucket(&bucket)
        .key("people.json")
        // moto's PartiQL parser wants the table name and `where` in lower case.
        .expression("SELECT * FROM s3object s where s.name = 'grace'")
        .expression_type(ExpressionType::Sql)
        .input_serialization(
            InputSerialization::builder()
                .json(JsonInput::builder().r#type(JsonType::Lines).build())
                .build(),
        )
        .output_serialization(
            OutputSerialization::builder()
                .json(JsonOutput::builder().build())
                .build(),
        )
        .send()
        .await
        .expect("SelectObjectContent");
    let d = drain(out).await;
    let text = String::from_utf8(d.records.clone()).expect("JSON records are text");
    assert!(text.contains("grace"), "{text:?}");
    assert!(!text.contains("ada") && !text.contains("alan"), "{text:?}");
    assert_eq!(d.ends, 1);
    assert_eq!(d.stats.len(), 1);
    assert!(d.stats[0].0.is_some_and(|n| n > 0), "{d:?}");
}

#[tokio::test]
async fn select_on_a_missing_key_is_a_typed_error() {
    let client = s3::Client::new(&moto().config());
    let bucket = bucket_name();
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let err = client
        .select_object_content()
        .bucket(&bucket)
        .key("absent.csv")
        .expression("SELECT * FROM S3Object")
        .expression_type(ExpressionType::Sql)
        .input_serialization(
            InputSerialization::builder()
                .csv(CsvInput::builder().build())
                .build(),
        )
        .output_serialization(
            OutputSerialization::builder()
                .csv(CsvOutput::builder().build())
                .build(),
        )
        .send()
        .await
        .expect_err("no such key");
    let code = awsrt::error::ProvideErrorMetadata::meta(&err)
        .code
        .clone()
        .unwrap_or_default();
    assert_eq!(code, "NoSuchKey", "{err}");
}
