import { describeHelmLint } from '../../test-support/chart-suites.ts';
import { CHART, VALUES_LOCAL, VALUES_PROD } from './support/chart.ts';

describeHelmLint(CHART, [VALUES_LOCAL, VALUES_PROD]);
