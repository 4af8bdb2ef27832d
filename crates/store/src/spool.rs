//! Draws of a computed run waiting to be saved, spilled to an anonymous temporary file so that
//! a run's memory stays flat however many draws it has (10⁶ draws with paths would otherwise
//! hold about 250 MB until the save). The file is deleted by the system when the spool is
//! dropped, also when the process is killed.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use crate::DrawSummary;

/// An append-only sequence of [`DrawSummary`]s in a temporary file, read back in push order.
#[derive(Debug)]
pub struct DrawSpool {
    writer: BufWriter<File>,
    count: u64,
}

impl DrawSpool {
    /// An empty spool (creates the temporary file).
    pub fn new() -> std::io::Result<Self> {
        Ok(DrawSpool {
            writer: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            count: 0,
        })
    }

    /// A spool holding `draws`, in order.
    pub fn from_draws<'a>(
        draws: impl IntoIterator<Item = &'a DrawSummary>,
    ) -> std::io::Result<Self> {
        let mut s = DrawSpool::new()?;
        for d in draws {
            s.push(d)?;
        }
        Ok(s)
    }

    /// Appends a draw.
    pub fn push(&mut self, d: &DrawSummary) -> std::io::Result<()> {
        let w = &mut self.writer;
        w.write_all(&d.draw.to_le_bytes())?;
        w.write_all(&d.scenario.to_le_bytes())?;
        w.write_all(&len32(d.values.len())?.to_le_bytes())?;
        for v in &d.values {
            w.write_all(&v.to_bits().to_le_bytes())?;
        }
        w.write_all(&len32(d.path.len())?.to_le_bytes())?;
        w.write_all(&d.path)?;
        self.count += 1;
        Ok(())
    }

    /// How many draws were pushed.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether no draw was pushed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Calls `f` on every draw in push order (the spool can be read again afterwards).
    pub fn for_each<E: From<std::io::Error>>(
        &mut self,
        mut f: impl FnMut(&DrawSummary) -> Result<(), E>,
    ) -> Result<(), E> {
        self.writer.flush()?;
        let mut file = self.writer.get_ref().try_clone()?;
        file.seek(SeekFrom::Start(0))?;
        let mut r = BufReader::with_capacity(1 << 16, file);
        let mut d = DrawSummary {
            draw: 0,
            scenario: 0,
            values: Vec::new(),
            path: Vec::new(),
        };
        let mut b8 = [0u8; 8];
        let mut b4 = [0u8; 4];
        for _ in 0..self.count {
            r.read_exact(&mut b8)?;
            d.draw = u64::from_le_bytes(b8);
            r.read_exact(&mut b4)?;
            d.scenario = u32::from_le_bytes(b4);
            r.read_exact(&mut b4)?;
            let n = u32::from_le_bytes(b4) as usize;
            d.values.clear();
            for _ in 0..n {
                r.read_exact(&mut b8)?;
                d.values.push(f64::from_bits(u64::from_le_bytes(b8)));
            }
            r.read_exact(&mut b4)?;
            d.path.resize(u32::from_le_bytes(b4) as usize, 0);
            r.read_exact(&mut d.path)?;
            f(&d)?;
        }
        // Leave the shared file position at the end, where the next push writes.
        self.writer.get_mut().seek(SeekFrom::End(0))?;
        Ok(())
    }
}

fn len32(n: usize) -> std::io::Result<u32> {
    u32::try_from(n).map_err(|_| std::io::Error::other("a draw with over 2³² values"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(i: u64) -> DrawSummary {
        DrawSummary {
            draw: i,
            scenario: (i % 5) as u32,
            values: (0..(i % 4)).map(|k| k as f64 / 3.0 - i as f64).collect(),
            path: (0..(i % 7) as u8).collect(),
        }
    }

    #[test]
    fn draws_come_back_bit_for_bit_in_order_and_can_be_read_twice() {
        let mut want: Vec<DrawSummary> = (0..1000).map(draw).collect();
        want[3].values = vec![f64::NAN, -0.0, f64::INFINITY];
        let mut s = DrawSpool::from_draws(&want).unwrap();
        for pass in 0..2 {
            let mut got = Vec::new();
            s.for_each(|d| {
                got.push(d.clone());
                Ok::<_, std::io::Error>(())
            })
            .unwrap();
            assert_eq!(got.len(), want.len(), "pass {pass}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!((g.draw, g.scenario, &g.path), (w.draw, w.scenario, &w.path));
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&g.values), bits(&w.values));
            }
        }
        // Pushing after a read appends.
        s.push(&draw(1000)).unwrap();
        let mut last = None;
        s.for_each(|d| {
            last = Some(d.draw);
            Ok::<_, std::io::Error>(())
        })
        .unwrap();
        assert_eq!((s.len(), last), (1001, Some(1000)));
    }
}
