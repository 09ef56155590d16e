/**
 * The contracts of PICI Lab's durable orchestration: the experiment and sweep workflow interfaces,
 * the activity interfaces the workers implement, and the records that travel between them. Payloads
 * carry references (run ids, checkpoint keys, score summaries), never tensors.
 */
package org.picilab.workflows;
