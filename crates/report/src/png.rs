//! PNG copies of the SVG charts, rendered with resvg. Text uses the machine's fonts (DejaVu Sans
//! where present); without fonts the PNG still renders, without its labels.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// The machine's fonts, each file read once: the system database names files, which the
/// renderer would otherwise read again for every text run of every chart (thousands of reads
/// per report); this one holds their bytes.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut system = usvg::fontdb::Database::new();
        system.load_system_fonts();
        let mut files: Vec<std::path::PathBuf> = system
            .faces()
            .filter_map(|f| match &f.source {
                usvg::fontdb::Source::File(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        files.sort();
        files.dedup();
        let mut db = usvg::fontdb::Database::new();
        for path in files {
            if let Ok(bytes) = std::fs::read(&path) {
                db.load_font_data(bytes);
            }
        }
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// Render an SVG document to PNG bytes at `width` pixels; `None` if it cannot be parsed.
pub fn svg_to_png(svg: &str, width: u32) -> Option<Vec<u8>> {
    let opt = usvg::Options {
        fontdb: fonts(),
        font_family: "DejaVu Sans".into(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).ok()?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_a_png() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" width="100" height="50"><rect width="100" height="50" fill="red"/><text x="10" y="30">x</text></svg>"#;
        let png = super::svg_to_png(svg, 200).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert!(super::svg_to_png("not svg", 200).is_none());
    }
}
