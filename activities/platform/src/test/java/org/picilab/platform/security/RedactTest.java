package org.picilab.platform.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RedactTest {

  @Test
  void userInfoIsMasked() {
    assertEquals(
        "https://***@mlflow.example:5000/prefix",
        Redact.uri("https://alice:s3cr3t@mlflow.example:5000/prefix"));
    assertEquals("http://***@h", Redact.uri("http://token-only@h"));
    assertEquals(
        "jdbc:postgresql://***@db:5432/pici", Redact.uri("jdbc:postgresql://pici:pw@db:5432/pici"));
  }

  @Test
  void secretParametersAreMaskedAndTheOthersKept() {
    assertEquals(
        "http://h:5000/api?experiment=7&token=***&api_key=***&X-Amz-Signature=***&page=2",
        Redact.uri(
            "http://h:5000/api?experiment=7&token=abc&api_key=k1&X-Amz-Signature=ff00&page=2"));
    assertEquals(
        "jdbc:postgresql://db/pici?user=pici&password=***;sslpassword=***",
        Redact.uri("jdbc:postgresql://db/pici?user=pici&password=pw;sslpassword=x"));
    assertEquals("http://h/?PASSWORD=***#frag", Redact.uri("http://h/?PASSWORD=pw#frag"));
  }

  @Test
  void urlsInsideAMessageAreMaskedToo() {
    assertEquals(
        "cannot reach https://***@h:443/x?secret=*** (refused); try again",
        Redact.uri("cannot reach https://u:p@h:443/x?secret=s (refused); try again"));
  }

  @Test
  void textWithoutCredentialsIsUnchanged() {
    for (String s :
        new String[] {
          "http://127.0.0.1:9000",
          "127.0.0.1:7233",
          "s3://pici/tracking",
          "user@example.org wrote",
          "",
        }) {
      assertEquals(s, Redact.uri(s));
    }
    assertNull(Redact.uri(null));
  }

  @Test
  void accessKeyKeepsTwoCharacters() {
    assertEquals("AK***", Redact.accessKey("AKIAIOSFODNN7EXAMPLE"));
    assertEquals("***", Redact.accessKey("ab"));
    assertEquals("***", Redact.accessKey(""));
    assertNull(Redact.accessKey(null));
  }
}
