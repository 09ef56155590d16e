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
import org.picilab.platform.service.Views.SweepLine;
import org.picilab.platform.service.Views.SweepView;

/** Sweeps: the list, newest first, and one sweep with a page of its trials. */
@Path("/api/sweeps")
@Produces(MediaType.APPLICATION_JSON)
public class SweepResource {

  @Inject PlatformServices services;

  /**
   * Sweeps, newest first.
   *
   * @param page the page, from 1
   * @param pageSize sweeps per page (1 to 500)
   * @return the page
   */
  @GET
  public Page<SweepLine> list(
      @QueryParam("page") @DefaultValue("1") int page,
      @QueryParam("pageSize") @DefaultValue("20") int pageSize) {
    Paging p = Paging.of(page, pageSize);
    return services.sweeps().list(p.offset(), p.limit());
  }

  /**
   * A sweep: its record, phase, counts per status, mean and standard deviation per configuration,
   * and one page of its trials.
   *
   * @param id the sweep id
   * @param sort the trials' order: index, nmi, acc, ari, fmi or newest
   * @param page the page of trials, from 1
   * @param pageSize trials per page (1 to 500)
   * @return the sweep
   */
  @GET
  @Path("/{id}")
  public SweepView show(
      @PathParam("id") String id,
      @QueryParam("sort") @DefaultValue("index") String sort,
      @QueryParam("page") @DefaultValue("1") int page,
      @QueryParam("pageSize") @DefaultValue("50") int pageSize) {
    Paging p = Paging.of(page, pageSize);
    return services.sweeps().show(id, RunSort.parse(sort), p.offset(), p.limit());
  }

  /**
   * A page of a sweep's trials.
   *
   * @param id the sweep id
   * @param status only these statuses, comma-separated (e.g. {@code completed,failed}); all when
   *     absent
   * @param sort the order: index, nmi, acc, ari, fmi or newest
   * @param page the page, from 1
   * @param pageSize trials per page (1 to 500)
   * @return the page
   */
  @GET
  @Path("/{id}/trials")
  public Page<RunRecord> trials(
      @PathParam("id") String id,
      @QueryParam("status") String status,
      @QueryParam("sort") @DefaultValue("index") String sort,
      @QueryParam("page") @DefaultValue("1") int page,
      @QueryParam("pageSize") @DefaultValue("50") int pageSize) {
    Paging p = Paging.of(page, pageSize);
    return services
        .sweeps()
        .trials(id, RunService.statuses(status), RunSort.parse(sort), p.offset(), p.limit());
  }
}
