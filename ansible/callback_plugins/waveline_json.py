# -*- coding: utf-8 -*-
# A machine-readable report of a playbook run, for Waveline (ansible-core ships no JSON callback):
# {"plays": [{"play": {"name"}, "tasks": [{"task": {"name"}, "hosts": {host: result}}]}],
#  "stats": {host: {"ok", "changed", "failures", "unreachable", "skipped"}}}
# the same shape as ansible.posix's json callback. Use: ANSIBLE_STDOUT_CALLBACK=waveline_json
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = '''
    name: waveline_json
    type: stdout
    short_description: the playbook run as one JSON document
    description:
      - Prints one JSON document at the end of the run with every task's result per host and the run's stats.
'''

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'waveline_json'

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self.results = []

    def v2_playbook_on_play_start(self, play):
        self.results.append({'play': {'name': play.get_name()}, 'tasks': []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        if self.results:
            self.results[-1]['tasks'].append({'task': {'name': task.get_name()}, 'hosts': {}})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result, **flags):
        if not self.results or not self.results[-1]['tasks']:
            return
        data = dict(self._clean(result._result))
        data.update(flags)
        self.results[-1]['tasks'][-1]['hosts'][result._host.get_name()] = data

    def _clean(self, data):
        return {k: v for k, v in data.items() if not k.startswith('_ansible') or k == '_ansible_no_log'}

    def v2_runner_on_ok(self, result, **kwargs):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._record(result, failed=True, ignored=ignore_errors)

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._record(result, unreachable=True)

    def v2_runner_on_skipped(self, result, **kwargs):
        self._record(result, skipped=True)

    def v2_playbook_on_stats(self, stats):
        summary = {}
        for host in sorted(stats.processed.keys()):
            s = stats.summarize(host)
            summary[host] = {'ok': s['ok'], 'changed': s['changed'], 'failures': s['failures'],
                             'unreachable': s['unreachable'], 'skipped': s['skipped'], 'rescued': s['rescued']}
        self._display.display(json.dumps({'plays': self.results, 'stats': summary}, indent=2, sort_keys=True, default=str))
