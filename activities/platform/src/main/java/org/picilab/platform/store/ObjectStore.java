package org.picilab.platform.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A bucket of objects addressed by key. Implementations talk to an S3 endpoint; the embedded stack
 * provides one on loopback. Every method may throw {@link StorageException} for a failure that is
 * worth retrying (the endpoint is down, a timeout) and {@link IOException} subclasses for anything
 * else.
 */
public interface ObjectStore extends AutoCloseable {

  /**
   * Uploads a file so that it becomes visible under {@code key} all at once: readers see either the
   * previous object or the complete new one, never a partial upload.
   *
   * @param key destination key
   * @param file the content
   * @param metadata user metadata stored with the object (e.g. a checksum)
   * @throws IOException when the upload fails; nothing is visible under {@code key} then
   */
  void putFile(String key, Path file, Map<String, String> metadata) throws IOException;

  /**
   * Stores small content (JSON records, CSV files) under {@code key}, replacing any object.
   *
   * @param key destination key
   * @param content the bytes
   * @param contentType e.g. "application/json"
   * @throws IOException when the upload fails
   */
  void putBytes(String key, byte[] content, String contentType) throws IOException;

  /**
   * Opens an object for reading.
   *
   * @param key the key
   * @return the content stream; the caller closes it
   * @throws java.nio.file.NoSuchFileException when there is no such object
   * @throws IOException when reading fails
   */
  InputStream open(String key) throws IOException;

  /**
   * Reads a whole object, if it exists.
   *
   * @param key the key
   * @return its bytes, or empty when there is no such object
   * @throws IOException when reading fails
   */
  Optional<byte[]> readBytes(String key) throws IOException;

  /**
   * Downloads an object to a local file.
   *
   * @param key the key
   * @param file destination, replaced if present
   * @throws IOException when reading fails or the object does not exist
   */
  void download(String key, Path file) throws IOException;

  /**
   * Lists objects whose keys start with a prefix, in key order.
   *
   * @param prefix the prefix
   * @return the objects
   * @throws IOException when listing fails
   */
  List<ObjectInfo> list(String prefix) throws IOException;

  /**
   * Deletes an object; deleting a missing object is not an error.
   *
   * @param key the key
   * @throws IOException when deleting fails
   */
  void delete(String key) throws IOException;

  /**
   * The bucket this store writes to.
   *
   * @return the bucket name
   */
  String bucket();

  /**
   * An {@code s3://bucket/key} address, as MLflow and people write them.
   *
   * @param key the key
   * @return the URI
   */
  default String uri(String key) {
    return "s3://" + bucket() + "/" + key;
  }

  @Override
  void close();

  /**
   * One object of a listing.
   *
   * @param key its key
   * @param size bytes
   * @param lastModifiedMillis last modification, epoch milliseconds
   * @param metadata user metadata, when the listing returns it (may be empty)
   */
  record ObjectInfo(String key, long size, long lastModifiedMillis, Map<String, String> metadata) {}
}
