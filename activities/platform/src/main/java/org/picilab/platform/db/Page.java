package org.picilab.platform.db;

import java.util.List;

/**
 * One page of a longer list.
 *
 * @param items the page's items
 * @param total how many items the whole list has
 * @param offset the position of the first item in the whole list
 * @param limit the page size asked for
 * @param <T> the item type
 */
public record Page<T>(List<T> items, long total, int offset, int limit) {

  /**
   * Whether another page follows.
   *
   * @return true when items remain after this page
   */
  public boolean hasNext() {
    return offset + items.size() < total;
  }
}
