package org.picilab.web;

/**
 * A page asked for by number and size, checked and turned into an offset and a limit.
 *
 * @param offset items to skip
 * @param limit the page size
 */
record Paging(int offset, int limit) {

  /** The largest page a caller may ask for. */
  static final int MAX_PAGE_SIZE = 500;

  static Paging of(int page, int pageSize) {
    if (page < 1) {
      throw new IllegalArgumentException("page must be 1 or more; got " + page);
    }
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException(
          "pageSize must be between 1 and " + MAX_PAGE_SIZE + "; got " + pageSize);
    }
    long offset = (long) (page - 1) * pageSize;
    if (offset > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("page " + page + " is beyond the last one");
    }
    return new Paging((int) offset, pageSize);
  }
}
