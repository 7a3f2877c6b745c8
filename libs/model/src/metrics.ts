/** Area under the ROC curve by the rank-sum (Mann–Whitney) formula; NaN when one class is absent. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  let k = 0;
  while (k < n) {
    let end = k;
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[k]!]) end++;
    const averageRank = (k + end) / 2 + 1;
    for (let j = k; j <= end; j++) {
      if (labels[order[j]!]! > 0.5) {
        positives++;
        rankSum += averageRank;
      }
    }
    k = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Precision and recall of `score >= threshold`. */
export function precisionRecall(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): { precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let k = 0; k < scores.length; k++) {
    const predicted = scores[k]! >= threshold;
    const actual = labels[k]! > 0.5;
    if (predicted && actual) tp++;
    else if (predicted) fp++;
    else if (actual) fn++;
  }
  return { precision: tp + fp > 0 ? tp / (tp + fp) : NaN, recall: tp + fn > 0 ? tp / (tp + fn) : NaN };
}
