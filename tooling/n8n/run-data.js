'use strict';
/** Reading what n8n ran: the CLI's printed run, and execution records from the public API. */

/** The last top-level pretty-printed JSON object in mixed log output ("{" ... "}" at column 0). */
function extractLastJson(text) {
	const lines = text.split('\n');
	for (let end = lines.length - 1; end >= 0; end--) {
		if (lines[end].replace(/\r$/, '') !== '}') continue;
		for (let start = end; start >= 0; start--) {
			if (lines[start].replace(/\r$/, '') !== '{') continue;
			try {
				return JSON.parse(lines.slice(start, end + 1).join('\n'));
			} catch {
				/* keep looking further up */
			}
		}
	}
	return null;
}

/** Items a node produced in a run (IRun from execute or execution.data from the public API). */
function nodeOutput(runOrData, nodeName, { output = 0, runIndex = 0 } = {}) {
	const data = runOrData && runOrData.data && runOrData.data.resultData ? runOrData.data : runOrData;
	const runData = data && data.resultData && data.resultData.runData;
	if (!runData || !runData[nodeName]) return undefined;
	const task = runData[nodeName][runIndex];
	if (!task) return undefined;
	if (task.error) return { error: task.error };
	return (task.data && task.data.main && task.data.main[output]) || [];
}

/** Every run of every node: [{ node, runIndex, startTime, executionTime (ms), error }], in start order. */
function nodeRuns(execution) {
	const runData = execution.data?.resultData?.runData ?? {};
	const runs = [];
	for (const [name, list] of Object.entries(runData)) {
		list.forEach((task, runIndex) => runs.push({ node: name, runIndex, startTime: task.startTime, executionTime: task.executionTime ?? 0, error: task.error }));
	}
	return runs.sort((a, b) => a.startTime - b.startTime);
}

/** Sum of executionTime of one node's runs (all runs when it ran several times). */
function nodeMs(execution, name) {
	return nodeRuns(execution)
		.filter((run) => run.node === name)
		.reduce((total, run) => total + run.executionTime, 0);
}

/** stoppedAt − startedAt of an execution record, in ms. */
function executionMs(execution) {
	return new Date(execution.stoppedAt).getTime() - new Date(execution.startedAt).getTime();
}

/** The error message of a failed execution, undefined when it did not fail. */
function failure(execution) {
	const error = execution.data?.resultData?.error ?? nodeRuns(execution).find((run) => run.error)?.error;
	return error ? error.message ?? JSON.stringify(error).slice(0, 300) : undefined;
}

module.exports = { extractLastJson, nodeOutput, nodeRuns, nodeMs, executionMs, failure };
