package org.picilab.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.picilab.workflows.sweep.TrialPlan;

/** The REST API against the real embedded stack, read paths and their errors. */
@QuarkusTest
@QuarkusTestResource(EmbeddedStackResource.class)
class ApiTest {

  static final String SWEEP = EmbeddedStackResource.SWEEP;

  @Test
  void listsSweepsWithTheirCounts() {
    given()
        .get("/api/sweeps")
        .then()
        .statusCode(200)
        .contentType("application/json")
        .body("total", equalTo(1))
        .body("items.sweep.id", hasItem(SWEEP))
        .body("items[0].counts.PENDING", equalTo(6));
  }

  @Test
  void showsASweepWithAPageOfItsTrials() {
    given()
        .queryParam("pageSize", 2)
        .queryParam("page", 2)
        .get("/api/sweeps/" + SWEEP)
        .then()
        .statusCode(200)
        .body("sweep.id", equalTo(SWEEP))
        .body("phase", equalTo("COMPLETED"))
        .body("trials.total", equalTo(6))
        .body("trials.offset", equalTo(2))
        .body("trials.items.size()", equalTo(2))
        .body("trials.items[0].id", equalTo(TrialPlan.runId(SWEEP, 2)));
  }

  @Test
  void anUnknownSweepIsA404ProblemNamingIt() {
    given()
        .get("/api/sweeps/sweep-nosuch-00000000")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("status", equalTo(404))
        .body("detail", containsString("sweep-nosuch-00000000"));
  }

  @Test
  void badInputIsA400ProblemNamingTheField() {
    given()
        .queryParam("sort", "speed")
        .get("/api/sweeps/" + SWEEP)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("sort must be one of"));
    given()
        .queryParam("pageSize", 100000)
        .get("/api/sweeps")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("pageSize"));
    given()
        .get("/api/sweeps/..%2Fetc")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("sweep id"));
  }

  @Test
  void aPendingRunIsReadFromItsRecord() {
    String run = TrialPlan.runId(SWEEP, 0);
    given()
        .get("/api/runs/" + run)
        .then()
        .statusCode(200)
        .body("runId", equalTo(run))
        .body("status", equalTo("PENDING"));
    given()
        .get("/api/runs/run-nosuch-000")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void pagesOfTrialsAndRunsFilteredByStatus() {
    given()
        .queryParam("status", "pending")
        .queryParam("pageSize", 4)
        .get("/api/sweeps/" + SWEEP + "/trials")
        .then()
        .statusCode(200)
        .body("total", equalTo(6))
        .body("items.size()", equalTo(4))
        .body("items[3].id", equalTo(TrialPlan.runId(SWEEP, 3)));
    given()
        .queryParam("status", "completed,failed")
        .get("/api/sweeps/" + SWEEP + "/trials")
        .then()
        .statusCode(200)
        .body("total", equalTo(0));
    given()
        .queryParam("status", "finished")
        .get("/api/runs")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("status must be"));
    given()
        .get("/api/sweeps/sweep-nosuch-00000000/trials")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    given()
        .queryParam("sort", "index")
        .get("/api/runs")
        .then()
        .statusCode(200)
        .body("total", equalTo(6))
        .body("items[0].id", equalTo(TrialPlan.runId(SWEEP, 0)));
  }

  @Test
  void openApiAndHealthAreServed() {
    given().get("/q/openapi").then().statusCode(200).body(containsString("/api/sweeps/{id}"));
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }
}
