use rg_core::monitor::{in_blocks, CancelAt, Interrupted};

#[test]
fn blocks_cover_everything_and_report_each() {
    let mut seen = Vec::new();
    let mut m = CancelAt::new(usize::MAX);
    in_blocks::<Interrupted>(10, 4, &mut m, |r| {
        seen.push(r);
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, vec![0..4, 4..8, 8..10]);
    assert_eq!(m.steps, vec![(4, 10), (8, 10), (10, 10)]);
}

#[test]
fn cancel_stops_after_the_current_block() {
    let mut done = 0;
    let mut m = CancelAt::new(5);
    let r = in_blocks::<Interrupted>(100, 3, &mut m, |r| {
        done = r.end;
        Ok(())
    });
    assert_eq!(r, Err(Interrupted));
    assert_eq!(done, 6);
}
