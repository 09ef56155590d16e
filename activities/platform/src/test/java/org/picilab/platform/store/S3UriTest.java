package org.picilab.platform.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class S3UriTest {

  @Test
  void parsesBucketAndKey() {
    assertEquals(
        new S3Uri("pici", "runs/a/checkpoints"), S3Uri.parse("s3://pici/runs/a/checkpoints"));
    assertEquals(new S3Uri("pici", "runs/"), S3Uri.parse("s3://pici/runs/"));
    assertEquals(new S3Uri("pici", ""), S3Uri.parse("s3://pici"));
    assertEquals(new S3Uri("pici", ""), S3Uri.parse("s3://pici/"));
    assertEquals("s3://pici/runs/a", S3Uri.parse("s3://pici/runs/a").toString());
  }

  @Test
  void rejectsWhatIsNotAnS3AddressWithAnExample() {
    for (String bad :
        new String[] {
          "",
          "pici/runs",
          "http://pici/runs",
          "s3://",
          "s3:///runs",
          "s3://Pici/x",
          "s3://ab/x",
          "s3://pici//x"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> S3Uri.parse(bad), bad);
      assertTrue(e.getMessage().contains("s3://bucket/some/prefix"), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("gs://pici/x"));
    assertTrue(e.getMessage().contains("'gs://pici/x'"), e.getMessage());
  }

  @Test
  void resolvesWithExactlyOneSlash() {
    assertEquals(
        "s3://pici/runs/a/ckpt", S3Uri.parse("s3://pici/runs/a").resolve("ckpt").toString());
    assertEquals(
        "s3://pici/runs/a/ckpt", S3Uri.parse("s3://pici/runs/a/").resolve("ckpt").toString());
    assertEquals(new S3Uri("pici", "x/y"), S3Uri.parse("s3://pici").resolve("x/y"));
    assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://pici/a").resolve("/b"));
    assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://pici/a").resolve(""));
  }
}
