// kube-score on the production render (what the orchestrator installs with values-prod.yaml); the
// README's list justifies each finding left.
import { describeKubeScore } from '../../test-support/kube-score.ts';
import { CHART, renderText, SCENARIOS } from './support/chart.ts';

describeKubeScore({ readmeFile: `${CHART}/README.md`, prodRender: () => renderText(SCENARIOS.prod) });
