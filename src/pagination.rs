//! Lazy iteration over offset/limit paginated list operations.

use std::vec;

use crate::Error;

/// A list request that can fetch the page starting at any offset.
///
/// Implemented by the request builder of every operation the OpenAPI document marks as
/// offset/limit paginated; [`Items`] drives it.
pub trait OffsetPaged {
    /// The type of one listed item.
    type Item;

    /// Fetches the page that starts at `offset`: its items, and the total count of items
    /// when the response states it.
    fn fetch_page(&self, offset: u64) -> Result<(Vec<Self::Item>, Option<u64>), Error>;
}

/// An iterator over every item of a paginated list, one page in memory at a time.
///
/// Made by the `items()` method of a list request, for example
/// [`workspaces::List::items`](crate::workspaces::List::items). It stops after the
/// last item (the stated total is reached, or a page comes back short or empty). An error
/// is yielded as an item after the items already fetched, and ends the iteration.
pub struct Items<P: OffsetPaged> {
    request: P,
    next_offset: u64,
    page_size: Option<u64>,
    page: vec::IntoIter<P::Item>,
    finished: bool,
    total: Option<u64>,
}

impl<P: OffsetPaged> std::fmt::Debug for Items<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("next_offset", &self.next_offset)
            .field("page_size", &self.page_size)
            .field("buffered", &self.page.len())
            .field("finished", &self.finished)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl<P: OffsetPaged> Items<P> {
    /// The items of `request` from `offset` on, fetched `page_size` at a time (the
    /// server's default size when `None`).
    #[doc(hidden)]
    pub fn new(request: P, offset: u64, page_size: Option<u64>) -> Self {
        Self {
            request,
            next_offset: offset,
            page_size,
            page: Vec::new().into_iter(),
            finished: false,
            total: None,
        }
    }
}

impl<P: OffsetPaged> Items<P> {
    /// The total number of items the server stated with the last page fetched (`None`
    /// before the first page, or when the answer states none). Counting the items
    /// themselves is exact; this is what the server said when it answered.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let client = openrouter_workspaces::Client::from_env()?;
    /// let mut members = client.workspaces().list_members("production").limit(100).items();
    /// let first = members.next().transpose()?;
    /// println!("{first:?} of {:?}", members.total());
    /// # Ok(())
    /// # }
    /// ```
    pub fn total(&self) -> Option<u64> {
        self.total
    }
}

impl<P: OffsetPaged> Iterator for Items<P> {
    type Item = Result<P::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.page.next() {
                return Some(Ok(item));
            }
            if self.finished {
                return None;
            }
            match self.request.fetch_page(self.next_offset) {
                Err(error) => {
                    self.finished = true;
                    return Some(Err(error));
                }
                Ok((items, total)) => {
                    self.total = total.or(self.total);
                    let count = items.len() as u64;
                    self.next_offset += count;
                    // A stated total is trusted over page sizes: a server may cap a page
                    // below the requested limit.
                    let short = total.is_none() && self.page_size.is_some_and(|size| count < size);
                    let reached_total = total.is_some_and(|total| self.next_offset >= total);
                    if count == 0 || short || reached_total {
                        self.finished = true;
                    }
                    self.page = items.into_iter();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    struct Fake {
        data: Vec<u32>,
        page: usize,
        total: bool,
        fail_at: Option<u64>,
        calls: RefCell<Vec<u64>>,
    }

    impl OffsetPaged for Fake {
        type Item = u32;
        fn fetch_page(&self, offset: u64) -> Result<(Vec<u32>, Option<u64>), Error> {
            self.calls.borrow_mut().push(offset);
            if self.fail_at == Some(offset) {
                return Err(Error::Config(crate::ConfigError::MissingBaseUrl));
            }
            let start = (offset as usize).min(self.data.len());
            let end = (start + self.page).min(self.data.len());
            let total = self.total.then_some(self.data.len() as u64);
            Ok((self.data[start..end].to_vec(), total))
        }
    }

    fn fake(n: u32, page: usize, total: bool) -> Fake {
        Fake {
            data: (0..n).collect(),
            page,
            total,
            fail_at: None,
            calls: RefCell::new(Vec::new()),
        }
    }

    #[test]
    fn stops_at_the_total_without_an_extra_request() {
        let f = fake(6, 3, true);
        let mut items = Items::new(f, 0, Some(3));
        let got: Vec<u32> = items.by_ref().map(Result::unwrap).collect();
        assert_eq!(got, [0, 1, 2, 3, 4, 5]);
        assert_eq!(*items.request.calls.borrow(), [0, 3]);
        assert_eq!(items.total(), Some(6));
    }

    #[test]
    fn the_total_is_known_once_a_page_stated_it() {
        let mut items = Items::new(fake(6, 3, true), 0, Some(3));
        assert_eq!(items.total(), None, "nothing fetched yet");
        items.next();
        assert_eq!(items.total(), Some(6));
        let mut silent = Items::new(fake(2, 3, false), 0, Some(3));
        silent.next();
        assert_eq!(silent.total(), None);
    }

    #[test]
    fn every_item_is_walked_and_the_walk_stops_where_they_end() {
        // What the walk meets, the pages it asks for, and the offsets it must request.
        let cases: [(&str, Fake, Option<u64>, &[u64]); 3] = [
            (
                "a short page without a total",
                fake(7, 3, false),
                Some(3),
                &[0, 3, 6],
            ),
            // The server caps pages at 2 although 3 were asked; the total says there is more.
            (
                "a total over a page shorter than asked",
                fake(5, 2, true),
                Some(3),
                &[0, 2, 4],
            ),
            (
                "an unknown page size, to an empty page",
                fake(4, 2, false),
                None,
                &[0, 2, 4],
            ),
        ];
        for (case, f, page_size, offsets) in cases {
            let len = f.data.len();
            let mut items = Items::new(f, 0, page_size);
            assert_eq!(items.by_ref().count(), len, "{case}");
            assert_eq!(*items.request.calls.borrow(), offsets, "{case}");
        }
    }

    #[test]
    fn error_comes_after_the_items_before_it_and_ends_iteration() {
        let mut f = fake(9, 3, true);
        f.fail_at = Some(3);
        let results: Vec<Result<u32, Error>> = Items::new(f, 0, Some(3)).collect();
        assert_eq!(results.len(), 4);
        assert!(results[..3].iter().all(Result::is_ok));
        assert!(matches!(
            &results[3],
            Err(Error::Config(crate::ConfigError::MissingBaseUrl))
        ));
    }

    #[test]
    fn starts_at_the_given_offset() {
        let f = fake(5, 2, true);
        let got: Vec<u32> = Items::new(f, 3, Some(2)).map(Result::unwrap).collect();
        assert_eq!(got, [3, 4]);
    }
}
