package org.picilab.platform.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3SettingsTest {

  private static final S3Settings DEFAULTS =
      new S3Settings("http://127.0.0.1:9000", "pici", "pici-secret", "pici", "us-east-1");

  @Test
  void unsetAndBlankVariablesKeepTheDefaults() {
    Map<String, String> env = new HashMap<>();
    env.put("PICI_S3_BUCKET", "experiments");
    env.put("PICI_S3_SECRET_KEY", "  ");
    S3Settings s = S3Settings.fromEnv(env, DEFAULTS);
    assertEquals(
        new S3Settings("http://127.0.0.1:9000", "pici", "pici-secret", "experiments", "us-east-1"),
        s);
  }

  @Test
  void everyVariableOverrides() {
    S3Settings s =
        S3Settings.fromEnv(
            Map.of(
                "PICI_S3_ENDPOINT", "https://minio.lab.example:9443/",
                "PICI_S3_ACCESS_KEY", "worker",
                "PICI_S3_SECRET_KEY", "s3cr3t",
                "PICI_S3_BUCKET", "runs.2025",
                "PICI_S3_REGION", "eu-west-1"),
            DEFAULTS);
    // The trailing slash is dropped so that one endpoint has one spelling.
    assertEquals(
        new S3Settings(
            "https://minio.lab.example:9443", "worker", "s3cr3t", "runs.2025", "eu-west-1"),
        s);
  }

  @Test
  void anEndpointThatIsNotAnHttpUrlIsRejectedNamingTheVariable() {
    for (String bad :
        new String[] {"localhost:9000", "ftp://host:21", "minio", "http://", "http://h:9/bucket"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> S3Settings.fromEnv(Map.of("PICI_S3_ENDPOINT", bad), DEFAULTS),
              bad);
      assertTrue(e.getMessage().startsWith("PICI_S3_ENDPOINT"), e.getMessage());
      assertTrue(e.getMessage().contains("http://127.0.0.1:9000"), "shows an example");
    }
  }

  @Test
  void badBucketAndRegionAreRejectedNamingTheVariable() {
    IllegalArgumentException bucket =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3Settings.fromEnv(Map.of("PICI_S3_BUCKET", "My_Bucket"), DEFAULTS));
    assertTrue(bucket.getMessage().startsWith("PICI_S3_BUCKET"), bucket.getMessage());
    assertTrue(bucket.getMessage().contains("'My_Bucket'"), bucket.getMessage());
    IllegalArgumentException region =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3Settings.fromEnv(Map.of("PICI_S3_REGION", "EU West"), DEFAULTS));
    assertTrue(region.getMessage().startsWith("PICI_S3_REGION"), region.getMessage());
  }

  @Test
  void emptyKeysAreRejectedNamingTheVariable() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new S3Settings("http://127.0.0.1:9000", "", "x", "pici", "us-east-1"));
    assertTrue(e.getMessage().startsWith("PICI_S3_ACCESS_KEY"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new S3Settings("http://127.0.0.1:9000", "a", "", "pici", "us-east-1"));
    assertTrue(e.getMessage().startsWith("PICI_S3_SECRET_KEY"), e.getMessage());
  }

  @Test
  void toStringHidesTheSecretAndMostOfTheKeyId() {
    String s =
        new S3Settings("http://h:1", "visible-key", "hunter2-secret", "pici", "r1").toString();
    assertFalse(s.contains("hunter2-secret"), s);
    assertFalse(s.contains("visible-key"), s);
    assertTrue(s.contains("accessKey=vi***"), s);
    assertTrue(s.contains("http://h:1"), s);
  }
}
