/**
 * The losses of PICI and its relatives, written over DJL arrays so that autograd reaches every
 * part: PISD reconstruction (paper 002, Eq. 1), the instance and cluster contrastive losses of PICD
 * (Eqs. 5-11, in the forms method.md fixes), and the cross-level interaction loss CLI (Eq. 15).
 */
package org.picilab.model.loss;
