package org.picilab.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pici score}: the JSON it prints, and its errors with exit code 2. */
class ScoreCommandTest {

  @TempDir Path dir;

  private record Outcome(int code, String out, String err) {}

  private Outcome run(String truth, String pred) throws IOException {
    Path t = dir.resolve("truth.txt");
    Path p = dir.resolve("pred.txt");
    Files.writeString(t, truth);
    Files.writeString(p, pred);
    CommandLine cl = PiciCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("score", "--truth", t.toString(), "--pred", p.toString());
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void printsTheFourScoresAsJson() throws IOException {
    // The first case of the scikit-learn fixtures: truth 1 1 0 1 0, predicted 11 1 4 1 4.
    Outcome o = run("1\n1\n0\n1\n0\n", "11\n1\n4\n1\n4\n\n");
    assertEquals(0, o.code(), o.err());
    JsonNode json = new ObjectMapper().readTree(o.out());
    assertEquals(0.7789794173345359, json.get("nmi").asDouble(), 1e-12);
    assertEquals(0.8, json.get("acc").asDouble(), 1e-12);
    assertEquals(0.5454545454545454, json.get("ari").asDouble(), 1e-12);
    assertEquals(0.7071067811865476, json.get("fmi").asDouble(), 1e-12);
  }

  @Test
  void mismatchedLengthsExitWithTwoAndSayBothCounts() throws IOException {
    Outcome o = run("1\n2\n3\n", "1\n2\n");
    assertEquals(2, o.code());
    assertTrue(o.err().contains("has 3 labels") && o.err().contains("has 2"), o.err());
    assertEquals("", o.out());
  }

  @Test
  void aNonIntegerNamesTheFileAndLine() throws IOException {
    Outcome o = run("1\n2\n3\n", "1\ntwo\n3\n");
    assertEquals(2, o.code());
    assertTrue(o.err().contains("pred.txt line 2") && o.err().contains("'two'"), o.err());
    Outcome blank = run("1\n\n3\n", "1\n2\n3\n");
    assertEquals(2, blank.code(), "a blank line inside the file is not a label");
    Outcome empty = run("", "1\n");
    assertEquals(2, empty.code());
    assertTrue(empty.err().contains("holds no labels"), empty.err());
  }

  @Test
  void aMissingFileIsNamed() {
    CommandLine cl = PiciCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("score", "--truth", dir.resolve("a").toString(), "--pred", "b");
    assertEquals(2, code);
    assertTrue(err.toString().contains("no such file"), err.toString());
  }
}
