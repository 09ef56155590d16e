package org.picilab.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.picilab.platform.db.Page;
import org.picilab.platform.db.RunRecord;
import org.picilab.platform.db.RunSort;
import org.picilab.platform.service.RunService;
import org.picilab.workflows.RunProgress;

/** Runs: every run of every sweep, and where one stands now. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

  @Inject PlatformServices services;

  /**
   * A run's progress: live from its workflow while it runs, from its record once it has ended.
   *
   * @param id the run id
   * @return the progress
   */
  @GET
  @Path("/{id}")
  public RunProgress show(@PathParam("id") String id) {
    return services.runs().progress(id);
  }

  /**
   * Runs of every sweep, a page at a time.
   *
   * @param status only these statuses, comma-separated; all when absent
   * @param sort the order: newest (default), nmi, acc, ari, fmi or index
   * @param page the page, from 1
   * @param pageSize runs per page (1 to 500)
   * @return the page
   */
  @GET
  public Page<RunRecord> list(
      @QueryParam("status") String status,
      @QueryParam("sort") @DefaultValue("newest") String sort,
      @QueryParam("page") @DefaultValue("1") int page,
      @QueryParam("pageSize") @DefaultValue("50") int pageSize) {
    Paging p = Paging.of(page, pageSize);
    return services
        .runs()
        .list(RunService.statuses(status), RunSort.parse(sort), p.offset(), p.limit());
  }
}
