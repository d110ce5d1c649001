// A confusion matrix as table rows: how often each digit meant was read as each digit.

/** The ten cells cell(0) … cell(9), joined: one table row's worth. */
export const digits = (cell) => Array.from({ length: 10 }, (_, d) => cell(d)).join("");

/** The rows (header included) for pairs of {meant, read}; ``corner`` names the two axes. */
export function confusionRows(pairs, corner) {
  const header = `<tr><th scope="col">${corner}</th>${digits((d) => `<th scope="col">${d}</th>`)}</tr>`;
  return header + digits((meant) => `<tr><th scope="row">${meant}</th>${digits((read) => {
    const count = pairs.filter((pair) => pair.meant === meant && pair.read === read).length;
    const kind = count === 0 ? "" : meant === read ? "hit" : "miss";
    return `<td class="${kind}">${count || ""}</td>`;
  })}</tr>`);
}
