// Lesson 07: the none network — a container with only a loopback interface.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'run-none',
      title: { en: 'Run a container with no network', ko: '네트워크 없는 컨테이너 실행하기' },
      check: check.onlyLoopback({ container: 'container7' }),
      hints: [
        { en: 'The network is called none: pass it with `--network`.', ko: '네트워크 이름은 none입니다. `--network`로 지정하세요.' },
        'docker run -d --name container7 --network none nginx',
      ],
      solution: [{ host: 'node1', run: 'docker run -d --name container7 --network none nginx' }],
    },
    {
      id: 'cut-off',
      title: { en: 'Show that container7 reaches nobody', ko: 'container7이 아무 곳에도 접근하지 못함을 확인하기' },
      check: check.all(
        check.containerRunning({ name: 'neighbour', network: 'bridge' }),
        check.reaches({ from: 'neighbour', toIpOf: { container: 'neighbour', network: 'bridge' }, via: 'http' }),
        check.reaches({ from: 'container7', toIpOf: { container: 'neighbour', network: 'bridge' }, via: 'ping', expect: false }),
        check.reaches({ from: 'container7', to: '127.0.0.1', via: 'http' }),
      ),
      hints: [
        { en: 'Start a second nginx called neighbour on the default bridge, then try to reach it from container7.', ko: '기본 브리지에 neighbour라는 nginx를 하나 더 실행한 뒤 container7에서 접근해 보세요.' },
        'docker run -d --name neighbour nginx',
      ],
      solution: [{ host: 'node1', run: 'docker run -d --name neighbour nginx' }],
    },
  ],
});
