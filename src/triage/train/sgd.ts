/**
 * Averaged SGD for the two linear models. Averaging the weights over all steps (the "timestamp
 * trick": keep w and u = Σ step·Δw, then avg = w − u/steps) is a cheap regulariser: our sentences
 * are few and templated, and plain SGD memorises them with huge weights that transfer badly.
 */
import type { Analysis } from '../features.js';
import { complaintProbability, type TriageModel, topicProbabilities } from '../model.js';
import { TOPICS } from '../types.js';

const K = TOPICS.length;

export class AveragedTrainer {
  private readonly uComplaint: Float32Array;
  private readonly uTopic: Float32Array;
  // One step counter per model: the topic model may train for more passes than the complaint one.
  private stepComplaint = 1;
  private stepTopic = 1;

  constructor(private readonly model: TriageModel) {
    this.uComplaint = new Float32Array(model.complaint.length);
    this.uTopic = new Float32Array(model.topic.length);
  }

  complaint(a: Analysis, label: 0 | 1, rate: number, weight = 1): number {
    const p = complaintProbability(this.model, a);
    const g = (p - label) * rate * weight;
    const w = this.model.complaint;
    for (let i = 0; i < a.indices.length; i++) {
      const d = -g * a.values[i];
      w[a.indices[i]] += d;
      this.uComplaint[a.indices[i]] += this.stepComplaint * d;
    }
    this.stepComplaint++;
    return -Math.log(label ? p + 1e-12 : 1 - p + 1e-12);
  }

  topic(a: Analysis, topic: number, rate: number, weight = 1): number {
    const p = topicProbabilities(this.model, a);
    const w = this.model.topic;
    for (let i = 0; i < a.indices.length; i++) {
      const base = a.indices[i] * K;
      const v = a.values[i];
      for (let k = 0; k < K; k++) {
        const d = -rate * weight * (p[k] - (k === topic ? 1 : 0)) * v;
        w[base + k] += d;
        this.uTopic[base + k] += this.stepTopic * d;
      }
    }
    this.stepTopic++;
    return -Math.log(p[topic] + 1e-12);
  }

  /** Replaces the model's weights by their average over all steps so far. */
  finish(): void {
    const { complaint, topic } = this.model;
    for (let i = 0; i < complaint.length; i++)
      complaint[i] -= this.uComplaint[i] / this.stepComplaint;
    for (let i = 0; i < topic.length; i++) topic[i] -= this.uTopic[i] / this.stepTopic;
  }
}
